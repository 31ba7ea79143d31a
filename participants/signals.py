"""Caches that follow writes made anywhere (services, admin, shell): the stage dates."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from programs.models import Enrollment

from .models import StageRecord
from .stages import resident_stages_sync


@receiver(post_save, sender=StageRecord)
@receiver(post_delete, sender=StageRecord)
@receiver(post_save, sender=Enrollment)
@receiver(post_delete, sender=Enrollment)
def stage_source_changed(sender, instance, **kwargs):
    resident_stages_sync(resident_ids=[instance.resident_id])
