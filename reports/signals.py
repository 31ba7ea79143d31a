"""The counters follow every save of a resident, wherever it comes from (services, admin,
shell). Writes that bypass save() call reports.counting themselves."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from participants.models import Resident

from .counting import counts_follow, state_of, stored_state


@receiver(pre_save, sender=Resident)
def remember_counted_state(sender, instance, raw=False, **kwargs):
    instance._counted_before = (
        None if raw or instance.pk is None else stored_state(instance.pk)
    )


@receiver(post_save, sender=Resident)
def move_counters(sender, instance, raw=False, **kwargs):
    if raw:
        return
    # The stored row, not the instance: its stage dates may be older than the database's.
    counts_follow(getattr(instance, "_counted_before", None), stored_state(instance.pk))
    instance._counted_before = None


@receiver(post_delete, sender=Resident)
def drop_counters(sender, instance, **kwargs):
    counts_follow(state_of(instance), None)
