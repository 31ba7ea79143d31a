"""Admin pieces: changelists fast on tables with millions of rows, saves through services."""

from functools import cache

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, router, transaction
from django.http import Http404, HttpResponseNotAllowed
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from .text import CleanTextFormMixin

# Below this many rows an exact COUNT(*) is cheap enough.
ESTIMATE_ABOVE = 100_000
# No inline is built with more rows than this, whatever its management form claims.
INLINE_ROWS_MAX = 200


class LargeTablePaginator(Paginator):
    """Unfiltered lists on PostgreSQL use the planner's row estimate instead of COUNT(*)."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and not query.distinct:
            connection = connections[queryset.db]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                        [queryset.model._meta.db_table],
                    )
                    row = cursor.fetchone()
                if row and row[0] > ESTIMATE_ABOVE:
                    return int(row[0])
        return super().count


def clean_text_form(form_class):
    """form_class, cleaning every value it receives of control characters (jakpreneur.text),
    and rendered by Django's default renderer: the admin's widgets have template-language
    templates only, not the Jinja2 ones the app's forms render with."""
    if (
        issubclass(form_class, CleanTextFormMixin)
        and form_class.default_renderer is None
    ):
        return form_class
    bases = (form_class,)
    if not issubclass(form_class, CleanTextFormMixin):
        bases = (CleanTextFormMixin, form_class)
    return type(form_class.__name__, bases, {"default_renderer": None})


class CleanTextAdminMixin:
    """The admin's add/change forms and their inlines' forms clean text as the app's do."""

    def get_form(self, request, obj=None, **kwargs):
        return clean_text_form(super().get_form(request, obj, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return clean_text_form(super().get_changelist_form(request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = clean_text_form(formset.form)
            yield formset, inline


class FastModelAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    """Base admin: no second full COUNT(*), estimated counts on big tables."""

    show_full_result_count = False
    paginator = LargeTablePaginator
    list_per_page = 50


class ReadOnlyAdminMixin:
    """Rows the app writes itself (logs, counters): admins read them, nobody edits them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceAdminMixin:
    """Admin saves that go through the app's write services, so no rule is skipped.

    A subclass defines `service_save(request, form, obj)` (obj is None when adding), which
    calls the service and returns the saved object. It runs when the form is validated,
    inside the admin's transaction, so a service's ValidationError lands on the form
    fields it names (or on the form) like any other. Inlines of such admins are read-only.
    """

    def service_save(self, request, form, obj):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        model_admin = self

        class ServiceForm(form_class):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:
                    return
                try:
                    with transaction.atomic():
                        self.instance = model_admin.service_save(request, self, obj)
                except ValidationError as error:
                    _add_service_errors(self, error)

        return ServiceForm

    def save_form(self, request, form, change):
        return form.instance

    def render_change_form(self, request, context, *args, **kwargs):
        """A POST that shows the form again was refused (the form or an inline): undo what
        the service saved when the form alone validated, so nothing half-done stays."""
        if request.method == "POST":
            transaction.set_rollback(True, using=router.db_for_write(self.model))
        return super().render_change_form(request, context, *args, **kwargs)

    def save_model(self, request, obj, form, change):
        """Nothing left to do: the service saved the object when the form was validated."""

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


def _add_service_errors(form, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


class HistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's pages, read-only: a revert would write past the services
    (and their counters), so the old versions are shown, never saved back. An id that is
    not one is a 404, as on Django's own admin pages."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_view(self, request, object_id, extra_context=None):
        _check_id(self.model._meta.pk, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        _check_id(self.model._meta.pk, object_id)
        _check_id(self.model.history.model._meta.pk, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _check_id(pk_field, value: str) -> None:
    if not _is_id(pk_field, unquote(value)):
        raise Http404


def _is_id(field, value) -> bool:
    """Whether a lookup on `field` can take `value` (a 404 or a form error if not)."""
    try:
        field.get_prep_value(field.to_python(value))
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


class GuardedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete select, which shows a refused value again without querying
    with it: `village=²` is "not one of the choices", not a ValueError from the lookup."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        field_name = getattr(remote, "field_name", None)
        meta = remote.model._meta
        target = meta.get_field(field_name) if field_name else meta.pk
        return super().optgroups(name, [v for v in value if _is_id(target, v)], attr)


class GuardedFieldsMixin:
    """Form fields of an admin or an inline that survive any value posted to them."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(
            request
        ):
            kwargs["widget"] = GuardedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@cache
def _guarded_inline(inline_class):
    if issubclass(inline_class, GuardedFieldsMixin):
        return inline_class
    return type(inline_class.__name__, (GuardedFieldsMixin, inline_class), {})


class GuardedAdminMixin(GuardedFieldsMixin):
    """What the admin reads from a request, checked before Django uses it, so no input
    makes a 500 (issue 9). The AdminSite below mixes it into every admin registered, and
    GuardedFieldsMixin into their inlines."""

    def get_inlines(self, request, obj):
        return [_guarded_inline(inline) for inline in super().get_inlines(request, obj)]

    def get_object(self, request, object_id, from_field=None):
        # `?_to_field=` (empty) passes Django's "is this field allowed" check, which skips
        # empty values, and then names no field at all: it means the primary key.
        return super().get_object(request, object_id, from_field or None)

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            if not _is_id(pk, value):
                self.message_user(
                    request,
                    _(
                        "Pilihan baris tidak dikenal. Pilih baris dari daftar lalu ulangi."
                    ),
                    messages.WARNING,
                )
                return None  # the changelist is shown again, nothing done
        return super().response_action(request, queryset)

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.absolute_max = min(formset.absolute_max, INLINE_ROWS_MAX)
            formset.max_num = min(formset.max_num, INLINE_ROWS_MAX)
            yield formset, inline


class AdminSite(admin.AdminSite):
    """The default admin site (jakpreneur.apps): every admin it registers is guarded."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, GuardedAdminMixin):
            admin_class = type(
                admin_class.__name__, (GuardedAdminMixin, admin_class), {}
            )
        super().register(model_or_iterable, admin_class, **options)
