"""Mail and in-portal notices, in the recipient's language: subject, text and HTML templates."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import Notice


def recipient_language(user) -> str:
    profile = getattr(user, "profile", None)
    return getattr(profile, "language", None) or settings.LANGUAGE_CODE


def notify(user, *, template: str, context: dict, url: str = "") -> None:
    """Send `reporting/email/<template>_{subject,body}.{txt,html}` to the user and leave a notice."""
    with translation.override(recipient_language(user)):
        context = {**context, "user": user, "url": url, "site_url": settings.SITE_URL}
        subject = " ".join(render_to_string(f"reporting/email/{template}_subject.txt", context).split())
        text = render_to_string(f"reporting/email/{template}_body.txt", context)
        html = render_to_string(f"reporting/email/{template}_body.html", context)
        Notice.objects.create(user=user, text=subject[:300], url=url)
    if user.email:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        message.send()


def notices_read(*, user, url: str) -> int:
    """The user's unread notices that point at `url`, marked read: they opened what the notice is about."""
    return Notice.objects.filter(user=user, url=url, read_at__isnull=True).update(read_at=timezone.now())
