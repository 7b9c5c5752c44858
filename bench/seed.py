"""Seed a large hub for the benchmark: the real seeded content plus generated volume.

Usage (from the repository root, on PostgreSQL):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nexus_bench .venv/bin/python -m bench.seed

Bulk inserts (HTML twins rendered once per template, search documents inserted
by SQL so the database trigger computes their vectors); deterministic (seeded RNG).
"""

import os
import random
import sys
from datetime import timedelta

import django

CHALLENGES = 2_000
CONTRIBUTORS = 200
SOLUTIONS_PER_CHALLENGE = (1, 8)  # uniform: 4.5 on average, about 9,000 in all
VOTES_PER_SOLUTION = (0, 6)
COMMENTS_PER_CHALLENGE = (0, 4)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nexus_graphql.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from hub.content.loader import load_hub
    from hub.markdown import render_markdown
    from hub.models import (
        Challenge,
        Comment,
        ContentStatus,
        Contributor,
        Project,
        SearchDocument,
        Solution,
        Technology,
        Vote,
    )

    if Challenge.objects.count() >= CHALLENGES:
        print(f"bench: already seeded ({Challenge.objects.count()} challenges)")
        return
    rng = random.Random(2026)
    load_hub()
    User = get_user_model()
    now = timezone.now()
    technologies = list(Technology.objects.all())
    projects = list(Project.objects.all())

    with transaction.atomic():
        users = User.objects.bulk_create(
            User(username=f"bench{n:03d}", email=f"bench{n:03d}@example.com", password="!")
            for n in range(CONTRIBUTORS)
        )
        contributors = Contributor.objects.bulk_create(
            Contributor(
                user=user,
                display_name=f"Bench Learner {n:03d}",
                track="BACKEND" if n % 3 else "FRONTEND",
                joined_at=now - timedelta(days=400 - n),
            )
            for n, user in enumerate(users)
        )

        descriptions = [
            (text, render_markdown(text))
            for text in (
                f"While building the **{topic}** part of the project, "
                f"`{call}` {symptom}. We tried logging, reading the docs and pairing "
                "on it; here is what we saw and what we expected instead."
                for topic, call, symptom in [
                    ("bookings", "queryset.count()", "ran once per row in the template"),
                    ("payments", "requests.post()", "timed out under load"),
                    ("messaging", "Message.objects.filter()", "returned duplicates"),
                    ("auth", "jwt.decode()", "rejected valid tokens after deploy"),
                    ("reports", "celery.delay()", "lost tasks on worker restart"),
                ]
            )
        ]
        challenges = Challenge.objects.bulk_create(
            Challenge(
                title=f"Challenge {n}: {rng.choice(['Slow', 'Broken', 'Flaky', 'Leaky'])} "
                f"{rng.choice(['queries', 'deploys', 'tasks', 'tokens', 'caches'])}",
                slug=f"bench-challenge-{n}",
                description=descriptions[n % len(descriptions)][0],
                description_html=descriptions[n % len(descriptions)][1],
                project=rng.choice(projects),
                author=rng.choice(contributors),
                status=ContentStatus.PUBLISHED,
                created_at=now - timedelta(minutes=n * 7),
                published_at=now - timedelta(minutes=n * 7),
            )
            for n in range(CHALLENGES)
        )
        Through = Challenge.technologies.through
        Through.objects.bulk_create(
            Through(challenge_id=c.pk, technology_id=t.pk)
            for c in challenges
            for t in rng.sample(technologies, rng.randint(1, 3))
        )

        bodies = [
            (text, render_markdown(text))
            for text in (
                f"Fixed it with `{fix}`: {why}. Measured before and after; the difference "
                "was clear in the logs and in the test suite's timings.\n\n"
                f"```python\n{code}\n```"
                for fix, why, code in [
                    (
                        "select_related",
                        "one JOIN instead of a query per row",
                        "Booking.objects.select_related('property')",
                    ),
                    (
                        "retry with backoff",
                        "transient errors stopped surfacing",
                        "@shared_task(autoretry_for=(IOError,), retry_backoff=True)",
                    ),
                    (
                        "an index",
                        "the planner switched to an index scan",
                        "models.Index(fields=['status', '-created_at'])",
                    ),
                    (
                        "a named volume",
                        "data survived container restarts",
                        "volumes:\n  - pgdata:/var/lib/postgresql/data",
                    ),
                ]
            )
        ]
        solutions = []
        for challenge in challenges:
            count = rng.randint(*SOLUTIONS_PER_CHALLENGE)
            accepted = rng.randrange(count) if count and rng.random() < 0.5 else -1
            for k in range(count):
                body, html = bodies[(challenge.pk + k) % len(bodies)]
                solutions.append(
                    Solution(
                        challenge=challenge,
                        body=body,
                        body_html=html,
                        author=rng.choice(contributors),
                        status=ContentStatus.PUBLISHED,
                        is_accepted=k == accepted,
                        accepted_at=now if k == accepted else None,
                        created_at=challenge.created_at + timedelta(hours=k + 1),
                        published_at=challenge.created_at + timedelta(hours=k + 1),
                    )
                )
        solutions = Solution.objects.bulk_create(solutions, batch_size=2_000)

        votes, scores = [], {}
        for solution in solutions:
            voters = rng.sample(contributors, rng.randint(*VOTES_PER_SOLUTION))
            for voter in voters:
                if voter.pk == solution.author_id:
                    continue
                value = 1 if rng.random() < 0.8 else -1
                votes.append(Vote(solution=solution, voter=voter, value=value))
                scores[solution.pk] = scores.get(solution.pk, 0) + value
        Vote.objects.bulk_create(votes, batch_size=5_000)
        for solution in solutions:
            solution.score = scores.get(solution.pk, 0)
        Solution.objects.bulk_update(solutions, ["score"], batch_size=2_000)

        comments = []
        for challenge in challenges:
            for k in range(rng.randint(*COMMENTS_PER_CHALLENGE)):
                text = f"Comment {k} on {challenge.slug}: did you check the **logs**?"
                comments.append(
                    Comment(
                        challenge=challenge,
                        author=rng.choice(contributors),
                        body=text,
                        body_html=render_markdown(text),
                        created_at=challenge.created_at + timedelta(minutes=k + 1),
                    )
                )
        comments = Comment.objects.bulk_create(comments, batch_size=5_000)
        replies = [
            Comment(
                challenge_id=parent.challenge_id,
                parent=parent,
                author=rng.choice(contributors),
                body="Yes, and the reply is in the thread.",
                body_html=render_markdown("Yes, and the reply is in the thread."),
                created_at=parent.created_at + timedelta(minutes=30),
            )
            for parent in comments
            if rng.random() < 0.5
        ]
        Comment.objects.bulk_create(replies, batch_size=5_000)

        # Search documents: one INSERT ... SELECT per kind, in lower case as hub.search_index
        # stores them (the seed's text is ASCII, where SQL's lower is Python's).
        from django.contrib.contenttypes.models import ContentType

        challenge_type = ContentType.objects.get_for_model(Challenge).pk
        solution_type = ContentType.objects.get_for_model(Solution).pk
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO hub_searchdocument (content_type_id, object_id, title, summary, text,"
                " is_published, updated_at)"
                " SELECT %s, c.id, lower(c.title), '', lower(c.description), true, now()"
                " FROM hub_challenge c WHERE c.slug LIKE 'bench-%%'"
                " ON CONFLICT DO NOTHING",
                [challenge_type],
            )
            cursor.execute(
                "INSERT INTO hub_searchdocument (content_type_id, object_id, title, summary, text,"
                " is_published, updated_at)"
                " SELECT %s, s.id, lower(c.title), '', lower(s.body), true, now()"
                " FROM hub_solution s JOIN hub_challenge c ON c.id = s.challenge_id"
                " WHERE c.slug LIKE 'bench-%%' ON CONFLICT DO NOTHING",
                [solution_type],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"bench: seeded {Challenge.objects.count()} challenges, {Solution.objects.count()} "
        f"solutions, {Contributor.objects.count()} contributors, {Vote.objects.count()} votes, "
        f"{Comment.objects.count()} comments, {SearchDocument.objects.count()} search documents"
    )


if __name__ == "__main__":
    sys.exit(main())
