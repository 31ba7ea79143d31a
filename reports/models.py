from django.db import models  # noqa: F401  (targets arrive with the reports issue)
