from django.contrib.admin.apps import AdminConfig


class JakpreneurAdminConfig(AdminConfig):
    """Django's admin, on a site that gives every registered admin the same input guards
    (jakpreneur.admin_tools.AdminSite), third-party ones included."""

    default_site = "jakpreneur.admin_tools.AdminSite"
