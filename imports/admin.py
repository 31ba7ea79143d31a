from django.contrib import admin

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Old imports can be deleted here (with their uploaded file and issues)."""

    list_display = [
        "file_name",
        "user",
        "status",
        "created_at",
        "new_residents",
        "error_rows",
    ]
    list_filter = ["status"]
    date_hierarchy = "created_at"
    exclude = ["content"]
    readonly_fields = [
        f.name for f in ImportJob._meta.fields if f.name not in ("id", "content")
    ]

    def has_add_permission(self, request):
        return False
