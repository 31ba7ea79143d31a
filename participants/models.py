from django.db import models  # noqa: F401  (residents arrive with the registration issue)
