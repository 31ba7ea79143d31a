"""django-simple-history's HistoricalRecords, with its manager class made once per model.

simple-history (3.13) builds a new manager class each time `instance.history` or
`Model.history` is read (`HistoryManager.from_queryset(...)` in `HistoryDescriptor.__get__`),
and it reads it on every save to write the history row. Building that class inspects every
method of the queryset class: about 0.5 ms of CPU a write on the 2-core machine, paid by every
registration, stage and enrolment (benchmarks/request_cpu.py). The class depends on the
descriptor alone, so it is made once; each read still gets its own manager, bound to the
instance, as before.
"""

from functools import cached_property

from simple_history import models as simple_history
from simple_history.manager import HistoryDescriptor


class _HistoryDescriptor(HistoryDescriptor):
    @cached_property
    def _manager(self):
        return self.manager_class.from_queryset(self.queryset_class)

    def __get__(self, instance, owner):
        return self._manager(self.model, instance)


class HistoricalRecords(simple_history.HistoricalRecords):
    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        made = sender.__dict__.get(self.manager_name)
        if type(made) is HistoryDescriptor:  # not an abstract model's, nor replaced
            setattr(
                sender,
                self.manager_name,
                _HistoryDescriptor(
                    made.model, manager=made.manager_class, queryset=made.queryset_class
                ),
            )
