"""Form fields of the admin that hostile input must not turn into a 500."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

# What a database integer holds (a bigint; SQLite's INTEGER is the same size).
ID_RANGE = range(-(2**63), 2**63)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses an id no database integer holds as an
    invalid choice (a form error), before it reaches the `pk__in` query: SQLite raises
    OverflowError there, and the `in` lookup has no range check of its own."""

    def _check_values(self, value):
        for pk in value:
            try:
                number = int(str(pk))
            except ValueError:
                continue  # not a number: the parent refuses it as an invalid value
            if number not in ID_RANGE:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(pk)[:30]},
                )
        return super()._check_values(value)


class IdsAutocomplete(AutocompleteSelectMultiple):
    """The admin's autocomplete for many ids, showing again only the posted ids a database
    integer holds: Django's widget queries every posted value to show the chosen ones,
    and a value that is not an id made the page with the form's errors a 500."""

    def optgroups(self, name, value, attr=None):
        valid = []
        for pk in value:
            try:
                if int(str(pk)) in ID_RANGE:
                    valid.append(pk)
            except ValueError:
                pass
        return super().optgroups(name, valid, attr)
