"""Loads the hub's versioned seed content (``data/*.yaml``) into the database.

The YAML files are the source of truth for the curated content: technologies,
resources, learnings, projects and challenges with their solutions. ``load_hub``
can run on every deploy: it is idempotent and never overwrites an edit made in
the hub.

* Every seeded object has a stable key: its slug, or ``"<challenge-slug>#<n>"``
  for the n-th solution (1-based) listed under a challenge.
* A :class:`~hub.models.SeedRecord` keeps the fingerprint of the seeded fields
  as they were loaded (sha256 of a canonical JSON of them).
* An object whose current fingerprint differs from its record was edited since
  it was loaded, and one without a record was not created by the loader: both
  are left alone and reported as skipped. Otherwise an object is created,
  updated from a changed file, or not touched at all.

All files are read and validated before anything is written, and the writes
happen in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from hub import kinds
from hub.content.document import CHALLENGE, RESOURCE, SOLUTION
from hub.content.entries import CHOICE, LINK, MARKDOWN, SLUG, STRINGS, URL, Seed
from hub.models import (
    Challenge,
    ContentStatus,
    Contributor,
    Resource,
    SeedRecord,
    Solution,
    normalized_url,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

CURATOR_DISPLAY_NAME = "ProDev Hub"
CURATOR_BIO = "Curated content from the ProDev Backend Engineering program."

# Each seeded kind (hub.kinds: Kind.seed), by entry kind: its model, its entries' fields,
# whether it is moderated (then seeded PUBLISHED, by the curator).
_KINDS = {kind.seed.entry: kind for kind in kinds.seeded()}
_SEEDS: dict[str, Seed] = {entry: kind.seed for entry, kind in _KINDS.items()}


def _linked_first(seeds: dict[str, Seed]) -> tuple[str, ...]:
    """The entry kinds in the registry's order, each after the kinds it links to."""
    order: list[str] = []
    pending = list(seeds)
    while pending:
        entry = next(
            e
            for e in pending
            if all(f.target in order or f.target == e for f in seeds[e].relations)
        )
        order.append(entry)
        pending.remove(entry)
    return tuple(order)


# SeedRecord.kind of each kind of seeded object, in load order (solutions last: they hang
# from their challenge).
LOAD_ORDER = (*_linked_first(_SEEDS), SOLUTION)
FILES = {entry: _SEEDS[entry].file for entry in LOAD_ORDER if entry in _SEEDS}


SKIP_EDITED = "edited since loaded"
SKIP_DELETED = "deleted since loaded"
SKIP_NOT_SEEDED = "already exists and was not created by load_hub"
SKIP_CHALLENGE_NOT_SEEDED = "its challenge was not created by load_hub"
SKIP_ACCEPTED_TAKEN = "its challenge already has another accepted solution"
# The database keeps one resource per page (normalized URL); followed by that resource's slug.
SKIP_PAGE_TAKEN = "its page (normalized URL) is already the resource"


# --------------------------------------------------------------------------- report


class Skipped(NamedTuple):
    kind: str
    key: str
    reason: str


@dataclass
class LoadReport:
    """What one run of the loader did, per seeded object."""

    created: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)
    unchanged: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def keys(self, outcome: str, kind: str) -> list[str]:
        """The keys of `kind` with `outcome` ("created", "updated", ...)."""
        return [item[1] for item in getattr(self, outcome) if item[0] == kind]

    def summary(self) -> str:
        outcomes = ("created", "updated", "unchanged", "skipped")
        totals = ", ".join(f"{len(getattr(self, o))} {o}" for o in outcomes)
        lines = [f"Hub content: {totals}."]
        for kind in LOAD_ORDER:
            counts = {o: len(self.keys(o, kind)) for o in outcomes}
            if any(counts.values()):
                detail = ", ".join(f"{n} {o}" for o, n in counts.items() if n)
                lines.append(f"  {kind}: {detail}")
        return "\n".join(lines)


# --------------------------------------------------------------------- fingerprints


def fingerprint(state: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a seeded object's fields."""
    blob = json.dumps(state, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def entry_state(kind: str, entry: dict[str, Any]) -> dict[str, Any]:
    """The seeded fields of a (validated) file entry."""
    if kind == SOLUTION:
        return {
            "challenge": entry["challenge"],
            "body": entry["body"],
            "accepted": entry["accepted"],
        }
    seed = _SEEDS[kind]
    state = {name: entry[name] for name in seed.scalars}
    for relation in seed.relations:
        value = entry[relation.name]
        state[relation.name] = sorted(value) if relation.type != LINK else value
    return state


def object_state(kind: str, obj: models.Model) -> dict[str, Any]:
    """The seeded fields of an object as it is in the database now."""
    if kind == SOLUTION:
        return {"challenge": obj.challenge.slug, "body": obj.body, "accepted": obj.is_accepted}
    seed = _SEEDS[kind]
    state = {name: getattr(obj, name) for name in seed.scalars}
    for relation in seed.relations:
        if relation.type == LINK:
            target = getattr(obj, relation.name)
            state[relation.name] = target.slug if target is not None else None
        else:
            state[relation.name] = sorted(o.slug for o in getattr(obj, relation.name).all())
    return state


# ----------------------------------------------------------------------- validation


def _max_length(model: type[models.Model], name: str) -> int | None:
    return model._meta.get_field(name).max_length


class _Entry:
    """One entry of a data file; records every problem found in it."""

    def __init__(self, filename: str, index: int, raw: Any, errors: list[str]):
        self.filename = filename
        self.errors = errors
        self.is_mapping = isinstance(raw, dict)
        self.raw = raw if self.is_mapping else {}
        slug = self.raw.get("slug")
        self.label = f"entry #{index}" + (f" ({slug!r})" if isinstance(slug, str) else "")
        if not self.is_mapping:
            self.problem(f"expected a mapping, got {type(raw).__name__}")

    def problem(self, message: str) -> None:
        self.errors.append(f"{self.filename}, {self.label}: {message}")

    def check_keys(self, required: set[str], optional: frozenset[str] = frozenset()) -> None:
        if not self.is_mapping:
            return
        missing = required - self.raw.keys()
        unknown = self.raw.keys() - required - optional
        if missing:
            self.problem(f"missing {', '.join(sorted(missing))}")
        if unknown:
            self.problem(f"unknown key {', '.join(sorted(map(str, unknown)))}")

    def text(self, key: str, *, max_length: int | None = None, required: bool = True) -> str:
        value = self.raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.problem(f"{key} must be text, got {type(value).__name__}")
            return ""
        value = value.strip()
        if required and not value and self.is_mapping:
            self.problem(f"{key} must not be empty")
        if max_length is not None and len(value) > max_length:
            self.problem(f"{key} is {len(value)} characters long (at most {max_length})")
        return value

    def markdown(self, key: str, *, required: bool = True) -> str:
        return self.text(key, max_length=settings.HUB_MARKDOWN_MAX_CHARS, required=required)

    def slug(self, key: str, model: type[models.Model]) -> str:
        value = self.text(key, max_length=_max_length(model, "slug"))
        if value and slugify(value) != value:
            self.problem(f"{key} {value!r} is not a slug (lowercase letters, digits, hyphens)")
        return value

    def choice(self, key: str, choices: type[models.TextChoices]) -> str:
        value = self.text(key)
        if value and value not in choices.values:
            self.problem(f"{key} {value!r} is not one of {' '.join(choices.values)}")
        return value

    def url(self, key: str, model: type[models.Model], *, required: bool = False) -> str:
        value = self.text(key, max_length=_max_length(model, key), required=required)
        if value:
            try:
                URLValidator()(value)
            except ValidationError:
                self.problem(f"{key} {value!r} is not a valid URL")
        return value

    def strings(self, key: str) -> list[str]:
        value = self.raw.get(key, [])
        if value is None:
            value = []
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.problem(f"{key} must be a list of non-empty strings")
            return []
        value = [v.strip() for v in value]
        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            self.problem(f"{key} lists {', '.join(duplicates)} more than once")
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.raw.get(key, default)
        if not isinstance(value, bool):
            self.problem(f"{key} must be true or false")
            return default
        return value


def _parse(seed: Seed, model: type[models.Model], e: _Entry) -> dict[str, Any]:
    """The values of one entry of `seed`'s file, each field checked by its type."""
    e.check_keys(
        {f.name for f in seed.fields if not f.optional} | set(seed.nested),
        frozenset(f.name for f in seed.fields if f.optional),
    )
    values = {f.name: _value(e, model, f) for f in seed.fields}
    if seed.entry == CHALLENGE:
        values["solutions"] = _parse_solutions(e, values["slug"])
    if seed.entry == RESOURCE:
        # Not a seeded field (save computes it): two entries of one page are an error.
        values["page"] = _page_of(e, values["url"])
    return values


def _value(e: _Entry, model: type[models.Model], field) -> Any:
    name = field.name
    if field.type == SLUG:
        return e.slug(name, model)
    if field.type == MARKDOWN:
        return e.markdown(name)
    if field.type == CHOICE:
        return e.choice(name, field.choices)
    if field.type == URL:
        return e.url(name, model, required=not field.optional)
    if field.type == LINK:
        return e.text(name, required=False) or None
    if field.is_relation or field.type == STRINGS:
        return e.strings(name)
    return e.text(name, max_length=_max_length(model, name), required=not field.blank)


def _parse_solutions(e: _Entry, challenge: str) -> list[dict[str, Any]]:
    """A challenge's solutions: keyed `<challenge-slug>#<n>`, at most one accepted."""
    solutions = []
    raw_solutions = e.raw.get("solutions") or []
    if not isinstance(raw_solutions, list):
        e.problem("solutions must be a list")
        raw_solutions = []
    for n, raw in enumerate(raw_solutions, start=1):
        s = _Entry(e.filename, n, raw, e.errors)
        s.label = f"{e.label}, solution #{n}"
        s.check_keys({"body"}, frozenset({"accepted"}))
        solutions.append(
            {
                "key": f"{challenge}#{n}",
                "challenge": challenge,
                "body": s.markdown("body"),
                "accepted": s.flag("accepted"),
            }
        )
    if sum(s["accepted"] for s in solutions) > 1:
        e.problem("more than one solution is accepted (a challenge has at most one)")
    return solutions


def _page_of(e: _Entry, url: str) -> str:
    """A resource's page (its normalized URL), or "" where the URL is refused."""
    if not url:
        return ""
    try:
        return normalized_url(url)
    except ValueError as error:  # what Resource.save would refuse
        e.problem(f"url {url!r}: {error}")
        return ""


@dataclass
class SeedData:
    """The validated content of a data directory."""

    entries: dict[str, list[dict[str, Any]]]

    @property
    def solutions(self) -> list[dict[str, Any]]:
        return [s for c in self.entries[CHALLENGE] for s in c["solutions"]]


def _read_file(path: Path, errors: list[str]) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        errors.append(f"{path.name}: missing from {path.parent}")
        return []
    except yaml.YAMLError as exc:
        errors.append(f"{path.name}: not valid YAML: {exc}")
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        errors.append(f"{path.name}: expected a list of entries, got {type(data).__name__}")
        return []
    return data


def read_seed_data(data_dir: Path) -> SeedData:
    """Read and validate every data file; raise ValueError listing all problems."""
    errors: list[str] = []
    rows = {kind: _read_file(data_dir / filename, errors) for kind, filename in FILES.items()}
    return validate_seed_rows(rows, FILES, origin=str(data_dir), errors=errors)


def validate_seed_rows(
    rows: dict[str, list[Any]],
    sources: dict[str, str],
    *,
    origin: str,
    errors: list[str] | None = None,
) -> SeedData:
    """Validate the raw entries of each kind, as read from the YAML files or a hub document.

    `sources` names where each kind's entries come from, for the messages; raise
    ValueError listing all problems (with those already in `errors`).
    """
    errors = [] if errors is None else errors
    entries: dict[str, list[dict[str, Any]]] = {}
    parsed: dict[str, list[tuple[_Entry, dict[str, Any]]]] = {}
    for kind in FILES:
        seed, model = _SEEDS[kind], _KINDS[kind].model
        parsed[kind] = [
            (e, _parse(seed, model, e))
            for e in (
                _Entry(sources[kind], i, raw, errors) for i, raw in enumerate(rows[kind], start=1)
            )
        ]
        entries[kind] = [values for _, values in parsed[kind]]

    for kind in FILES:
        for name in _SEEDS[kind].unique:
            seen: set[str] = set()
            for e, values in parsed[kind]:
                if values[name] and values[name] in seen:
                    e.problem(f"{name} {values[name]!r} is used by an earlier entry")
                seen.add(values[name])

    pages: dict[str, _Entry] = {}
    for e, values in parsed[RESOURCE]:
        if not values["page"]:  # no valid URL: reported already
            continue
        earlier = pages.setdefault(values["page"], e)
        if earlier is not e:
            e.problem(
                f"url {values['url']!r} is the same page ({values['page']}) as the url of "
                f"{earlier.label}: one resource per page"
            )

    slugs = {kind: {values["slug"] for values in entries[kind]} for kind in FILES}
    for kind in FILES:
        for relation in _SEEDS[kind].relations:
            for e, values in parsed[kind]:
                linked = values[relation.name]
                for slug in [linked] if relation.type == LINK else linked:
                    if slug is not None and slug not in slugs[relation.target]:
                        where = sources[relation.target]
                        e.problem(f"unknown {relation.target} slug {slug!r} (not in {where})")

    if errors:
        listing = "\n".join(f"  - {error}" for error in errors)
        raise ValueError(f"Invalid hub seed data in {origin}:\n{listing}")
    return SeedData(entries)


# -------------------------------------------------------------------------- loading

CREATE, UPDATE, UNCHANGED, SKIP = "create", "update", "unchanged", "skip"


def ensure_curator() -> Contributor:
    """The account seeded content is attributed to (it cannot sign in)."""
    User = get_user_model()
    username = settings.HUB_CURATOR_USERNAME
    user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        user = User(**{User.USERNAME_FIELD: username})
        user.set_unusable_password()
        user.save()
    # A profile may already exist: a post_save signal creates a bare one per user.
    contributor, _ = Contributor.objects.get_or_create(user=user)
    missing = {
        name: value
        for name, value in (("display_name", CURATOR_DISPLAY_NAME), ("bio", CURATOR_BIO))
        if not getattr(contributor, name)
    }
    if missing:
        for name, value in missing.items():
            setattr(contributor, name, value)
        contributor.save(update_fields=list(missing))
    return contributor


class _Loader:
    def __init__(self, data: SeedData):
        self.data = data
        self.report = LoadReport()
        self.records = {(r.kind, r.key): r for r in SeedRecord.objects.filter(kind__in=LOAD_ORDER)}
        self.curator: Contributor | None = None
        self.loaded: dict[str, dict[str, models.Model]] = {}

    def run(self) -> LoadReport:
        self.curator = ensure_curator()
        for kind in FILES:  # linked kinds first
            actions = self._load_slugged(kind)
            # What later kinds link to, by slug.
            self.loaded[kind] = self._by_slug(_KINDS[kind].model, self.data.entries[kind])
            if kind == CHALLENGE:
                self._load_solutions(actions)
        return self.report

    @staticmethod
    def _by_slug(model, entries) -> dict[str, Any]:
        return {o.slug: o for o in model.objects.filter(slug__in=[e["slug"] for e in entries])}

    # -- deciding

    def _decide(self, kind: str, key: str, obj, wanted: str) -> tuple[str, str | None]:
        """What to do with one entry whose file fingerprint is `wanted`."""
        record = self.records.get((kind, key))
        if obj is None:
            # Loaded once and gone since: someone deleted it on purpose.
            return (SKIP, SKIP_DELETED) if record is not None else (CREATE, None)
        if record is None:
            return SKIP, SKIP_NOT_SEEDED
        current = fingerprint(object_state(kind, obj))
        if current == wanted:
            if record.checksum != wanted:  # edited in the hub to match the file
                self._record(kind, key, wanted)
            return UNCHANGED, None
        if current != record.checksum:
            return SKIP, SKIP_EDITED
        return UPDATE, None

    def _record(self, kind: str, key: str, checksum: str) -> None:
        record, _ = SeedRecord.objects.update_or_create(
            kind=kind, key=key, defaults={"checksum": checksum}
        )
        self.records[(kind, key)] = record

    def _report(self, action: str, kind: str, key: str, reason: str | None = None) -> None:
        if action == SKIP:
            self.report.skipped.append(Skipped(kind, key, reason or ""))
        else:
            outcome = {CREATE: "created", UPDATE: "updated", UNCHANGED: "unchanged"}[action]
            getattr(self.report, outcome).append((kind, key))

    # -- slugged kinds

    def _load_slugged(self, kind: str) -> dict[str, str]:
        seed = _SEEDS[kind]
        entries = self.data.entries[kind]
        existing = _KINDS[kind].model.objects.filter(slug__in=[e["slug"] for e in entries])
        for relation in seed.relations:
            if relation.type == LINK:
                existing = existing.select_related(relation.name)
            else:
                existing = existing.prefetch_related(relation.name)
        by_slug = {o.slug: o for o in existing}
        actions = {}
        for entry in entries:
            key = entry["slug"]
            wanted = fingerprint(entry_state(kind, entry))
            obj = by_slug.get(key)
            action, reason = self._decide(kind, key, obj, wanted)
            if action in (CREATE, UPDATE) and kind == RESOURCE:
                holder = self._page_holder(obj, entry)
                if holder is not None:
                    action, reason = SKIP, f"{SKIP_PAGE_TAKEN} {holder!r}"
            if action in (CREATE, UPDATE):
                self._write(kind, obj, entry)
                self._record(kind, key, wanted)
            self._report(action, kind, key, reason)
            actions[key] = reason if action == SKIP else action
        return actions

    def _write(self, kind: str, obj, entry: dict[str, Any]) -> None:
        seed = _SEEDS[kind]
        if obj is None:
            obj = _KINDS[kind].model()
            if _KINDS[kind].moderated:
                obj.author = self.curator
                obj.status = ContentStatus.PUBLISHED
        for name in seed.scalars:
            setattr(obj, name, entry[name])
        links = [f for f in seed.relations if f.type == LINK]
        for relation in links:
            slug = entry[relation.name]
            setattr(obj, relation.name, self.loaded[relation.target][slug] if slug else None)
        obj.save()
        for relation in seed.relations:
            if relation not in links:
                targets = self.loaded[relation.target]
                getattr(obj, relation.name).set([targets[slug] for slug in entry[relation.name]])

    @staticmethod
    def _page_holder(obj: Resource | None, entry: dict[str, Any]) -> str | None:
        """The slug of another resource on the entry's page (the database keeps one per
        normalized URL): one a contributor submitted, or one seeded from another entry."""
        others = Resource.objects.filter(normalized_url=entry["page"])
        if obj is not None:
            others = others.exclude(pk=obj.pk)
        return others.values_list("slug", flat=True).first()

    # -- solutions

    def _load_solutions(self, challenge_actions: dict[str, str]) -> None:
        entries = self.data.entries[CHALLENGE]
        challenges = self._by_slug(Challenge, entries)
        seeded = defaultdict(list)
        for solution in (
            Solution.objects.filter(challenge__in=challenges.values(), author=self.curator)
            .select_related("challenge")
            .order_by("created_at", "id")
        ):
            seeded[solution.challenge.slug].append(solution)

        for entry in entries:
            slug = entry["slug"]
            if challenge_actions[slug] == SKIP_NOT_SEEDED:
                for solution in entry["solutions"]:
                    self._report(SKIP, SOLUTION, solution["key"], SKIP_CHALLENGE_NOT_SEEDED)
                continue
            matched = self._match_solutions(entry["solutions"], seeded[slug])
            plans = []
            for solution in entry["solutions"]:
                key = solution["key"]
                wanted = fingerprint(entry_state(SOLUTION, solution))
                obj = matched.get(key)
                action, reason = self._decide(SOLUTION, key, obj, wanted)
                plans.append((solution, obj, wanted, action, reason))
            # Un-accept before accepting, so one accepted solution per challenge holds
            # at every write (the database enforces it).
            for solution, obj, wanted, action, reason in sorted(
                plans, key=lambda plan: plan[0]["accepted"]
            ):
                if action in (CREATE, UPDATE) and solution["accepted"]:
                    others = Solution.objects.filter(challenge=challenges[slug], is_accepted=True)
                    if obj is not None:
                        others = others.exclude(pk=obj.pk)
                    if others.exists():
                        action, reason = SKIP, SKIP_ACCEPTED_TAKEN
                if action in (CREATE, UPDATE):
                    self._write_solution(challenges[slug], obj, solution)
                    self._record(SOLUTION, solution["key"], wanted)
                self._report(action, SOLUTION, solution["key"], reason)

    def _match_solutions(self, entries, existing: list[Solution]) -> dict[str, Solution]:
        """Pair the file's solutions with the curator's solutions of the challenge.

        Solutions have no slug: an unedited one is recognised by its record's
        fingerprint, the rest are paired in creation order.
        """
        free = list(existing)
        matched: dict[str, Solution] = {}
        for entry in entries:
            record = self.records.get((SOLUTION, entry["key"]))
            if record is None:
                continue
            for solution in free:
                if fingerprint(object_state(SOLUTION, solution)) == record.checksum:
                    matched[entry["key"]] = solution
                    free.remove(solution)
                    break
        for entry in entries:
            if entry["key"] not in matched and free:
                matched[entry["key"]] = free.pop(0)
        return matched

    def _write_solution(self, challenge: Challenge, obj: Solution | None, entry) -> None:
        if obj is None:
            obj = Solution(challenge=challenge, author=self.curator, status=ContentStatus.PUBLISHED)
        obj.body = entry["body"]
        if entry["accepted"] and not obj.is_accepted:
            obj.is_accepted, obj.accepted_at = True, timezone.now()
        elif not entry["accepted"]:
            obj.is_accepted, obj.accepted_at = False, None
        obj.save()


def load_hub(data_dir: Path | str | None = None) -> LoadReport:
    """Load the seed content from `data_dir` (default: ``hub/content/data``).

    Raises ValueError, before writing anything, if a file is missing or invalid.
    """
    return load_seed_data(read_seed_data(Path(data_dir) if data_dir is not None else DATA_DIR))


def load_seed_data(data: SeedData) -> LoadReport:
    """Load validated seed content, whatever it was read from, in one transaction."""
    with transaction.atomic():
        return _Loader(data).run()
