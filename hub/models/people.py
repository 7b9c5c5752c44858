import unicodedata

from django.conf import settings
from django.db import models
from django.utils import timezone

from hub.models.choices import Track, choices_check

# Characters drawn alike in common fonts, after NFKC and case folding, mapped to one
# representative: the frequent cases of Unicode TR39's confusables (Cyrillic and Greek
# lookalikes of Latin letters, l/1/I, 0/O), not the whole table.
_LOOKALIKES = str.maketrans(
    {
        # Cyrillic
        "\N{CYRILLIC SMALL LETTER A}": "a",
        "\N{CYRILLIC SMALL LETTER KOMI DE}": "d",
        "\N{CYRILLIC SMALL LETTER IE}": "e",
        "\N{LATIN SMALL LETTER SCRIPT G}": "g",
        "\N{CYRILLIC SMALL LETTER SHHA}": "h",
        "\N{CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I}": "l",
        "\N{CYRILLIC SMALL LETTER PALOCHKA}": "l",
        "\N{CYRILLIC SMALL LETTER JE}": "j",
        "\N{CYRILLIC SMALL LETTER KA}": "k",
        "\N{CYRILLIC SMALL LETTER O}": "o",
        "\N{CYRILLIC SMALL LETTER ER}": "p",
        "\N{CYRILLIC SMALL LETTER QA}": "q",
        "\N{CYRILLIC SMALL LETTER DZE}": "s",
        "\N{CYRILLIC SMALL LETTER ES}": "c",
        "\N{CYRILLIC SMALL LETTER U}": "y",
        "\N{CYRILLIC SMALL LETTER WE}": "w",
        "\N{CYRILLIC SMALL LETTER HA}": "x",
        # Greek
        "\N{GREEK SMALL LETTER ALPHA}": "a",
        "\N{GREEK SMALL LETTER EPSILON}": "e",
        "\N{GREEK SMALL LETTER IOTA}": "l",
        "\N{GREEK SMALL LETTER KAPPA}": "k",
        "\N{GREEK SMALL LETTER NU}": "v",
        "\N{GREEK SMALL LETTER OMICRON}": "o",
        "\N{GREEK SMALL LETTER RHO}": "p",
        "\N{GREEK SMALL LETTER TAU}": "t",
        "\N{GREEK SMALL LETTER UPSILON}": "u",
        "\N{GREEK SMALL LETTER CHI}": "x",
        "\N{GREEK LUNATE SIGMA SYMBOL}": "c",
        # Latin and digits
        "\N{LATIN SMALL LETTER DOTLESS I}": "l",
        "i": "l",
        "1": "l",
        "|": "l",
        "0": "o",
    }
)
# Letter pairs that read as one letter; applied after the single characters.
_LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"), ("cl", "d"))


def username_key(username: str) -> str:
    """The canonical form two usernames share when they are the same name: NFKC, case-folded."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username).casefold())


def username_skeleton(username: str) -> str:
    """What a username looks like: equal for names a reader could take for each other."""
    skeleton = username_key(username).translate(_LOOKALIKES)
    for pair, letter in _LOOKALIKE_PAIRS:
        skeleton = skeleton.replace(pair, letter)
    return skeleton


def email_key(email: str) -> str | None:
    """One account per address, whatever its case; blank addresses are not compared."""
    return email.strip().casefold() or None


class Contributor(models.Model):
    """The public profile of a user of the hub (1:1 with Django's user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    display_name = models.CharField(max_length=80, blank=True)
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.BACKEND)
    bio = models.TextField(blank=True, max_length=2000)
    discord_handle = models.CharField(max_length=64, blank=True)
    joined_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Kept by the vote and accept services with atomic F() updates; the rule is
    # hub.services.reputation (+10 per upvote, -2 per downvote, +15 per accepted answer).
    reputation = models.IntegerField(default=0)
    # The user's identity as the database compares it, so concurrent sign-ups cannot
    # both take one name or address (unique indexes; NULL only for rows from before them
    # that collided with an older account, see migration 0006).
    # NULL, not "": a unique index compares every "" but no NULLs.
    username_key = models.CharField(  # noqa: DJ001
        max_length=300, unique=True, null=True, editable=False
    )
    username_skeleton = models.CharField(  # noqa: DJ001
        max_length=300, unique=True, null=True, editable=False
    )
    email_key = models.CharField(  # noqa: DJ001
        max_length=254, unique=True, null=True, editable=False
    )

    class Meta:
        ordering = ["user__username"]
        constraints = [choices_check("track", Track, "contributor_track_valid")]

    def __str__(self):
        return self.display_name or self.user.get_username()

    def save(self, *args, **kwargs):
        # Set once, when the profile is created with its user (hub.signals).
        if self._state.adding:
            self.fill_identity_keys()
        super().save(*args, **kwargs)

    @property
    def username(self) -> str:
        return self.user.get_username()

    def fill_identity_keys(self) -> None:
        username = self.user.get_username()
        self.username_key = username_key(username)
        self.username_skeleton = username_skeleton(username)
        self.email_key = email_key(self.user.email or "")
