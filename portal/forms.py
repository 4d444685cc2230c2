"""Forms of the shell's pages."""

import ipaddress

from django import forms
from django.utils.translation import gettext_lazy as _

from core.lockouts import ADDRESS, USERNAME


class LockoutLiftForm(forms.Form):
    """Which lockout to lift: an account (its username) or an address."""

    kind = forms.ChoiceField(choices=[(USERNAME, _("Account")), (ADDRESS, _("Address"))])
    value = forms.CharField(max_length=255)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ADDRESS and data.get("value"):
            try:
                data["value"] = str(ipaddress.ip_address(data["value"]))
            except ValueError:
                self.add_error("value", _("This is not an IP address."))
        return data
