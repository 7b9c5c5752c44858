"""hub.selectors: reads that take the viewer and return only what it may see."""

from itertools import product

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from hub import selectors
from hub.errors import ApplicationError, ErrorCode
from hub.kinds import View
from hub.models import (
    Challenge,
    Comment,
    ContentStatus,
    Learning,
    Project,
    Solution,
    Technology,
    Vote,
)
from tests.factories import (
    ChallengeFactory,
    ContributorFactory,
    LearningFactory,
    ProjectFactory,
    SolutionFactory,
    TechnologyFactory,
)

ANONYMOUS = AnonymousUser()


@pytest.fixture
def author(db):
    return ContributorFactory(user__username="author")


@pytest.fixture
def moderator_user(db):
    return ContributorFactory(user__is_staff=True).user


def titles(rows) -> list[str]:
    return [row.title for row in rows]


class TestVisibility:
    @pytest.fixture
    def learnings(self, author):
        LearningFactory(title="Published", author=author)
        LearningFactory(title="Mine, pending", author=author, status=ContentStatus.PENDING)
        LearningFactory(title="Theirs, hidden", status=ContentStatus.HIDDEN)

    @pytest.mark.usefixtures("learnings")
    def test_anonymous_viewers_get_published_rows(self):
        assert titles(selectors.visible_queryset(Learning, ANONYMOUS)) == ["Published"]

    @pytest.mark.usefixtures("learnings")
    def test_authors_also_get_their_own(self, author):
        rows = selectors.visible_queryset(Learning, author.user).order_by("title")

        assert titles(rows) == ["Mine, pending", "Published"]

    @pytest.mark.usefixtures("learnings")
    def test_moderators_get_everything(self, moderator_user):
        rows = selectors.visible_queryset(Learning, moderator_user).order_by("title")

        assert titles(rows) == ["Mine, pending", "Published", "Theirs, hidden"]

    def test_a_solution_is_public_only_while_its_challenge_is(self, db):
        SolutionFactory(body="visible")
        SolutionFactory(body="orphaned", challenge=ChallengeFactory(status=ContentStatus.HIDDEN))

        rows = selectors.visible_queryset(Solution, ANONYMOUS)

        assert [row.body for row in rows] == ["visible"]

    def test_technologies_and_projects_are_always_public(self, db):
        TechnologyFactory()
        ProjectFactory()

        assert selectors.list_content(model=Technology, viewer=ANONYMOUS).count() == 1
        assert selectors.list_content(model=Project, viewer=ANONYMOUS).count() == 1

    def test_a_vote_is_seen_by_its_voter_only_moderators_included(self, author, moderator_user):
        solution = SolutionFactory()
        Vote.objects.create(solution=solution, voter=author, value=1)
        Vote.objects.create(solution=solution, voter=moderator_user.contributor, value=-1)

        def seen_by(viewer):
            return sorted(v.value for v in selectors.visible_queryset(Vote, viewer))

        assert seen_by(ANONYMOUS) == []
        assert seen_by(author.user) == [1]
        assert seen_by(moderator_user) == [-1]
        assert selectors.get_viewer_vote(viewer=moderator_user, solution=solution) == -1
        stranger = ContributorFactory().user
        assert selectors.get_viewer_vote(viewer=stranger, solution=solution) is None


class TestLists:
    def test_challenge_list_filters_by_viewer_and_arguments(self, author):
        ChallengeFactory(title="Mine, pending", author=author, status=ContentStatus.PENDING)
        ChallengeFactory(title="Mine, published", author=author)
        ChallengeFactory(title="Theirs")

        assert titles(
            selectors.list_content(model=Challenge, viewer=ANONYMOUS, filters={"author": "author"})
        ) == ["Mine, published"]
        assert titles(
            selectors.list_content(
                model=Challenge, viewer=author.user, filters={"author": "author"}, order_by="TITLE"
            )
        ) == [
            "Mine, pending",
            "Mine, published",
        ]

    def test_has_accepted_solution_counts_only_visible_solutions(self, moderator_user):
        challenge = ChallengeFactory(title="Accepted, then hidden")
        SolutionFactory(challenge=challenge, is_accepted=True, status=ContentStatus.HIDDEN)

        assert (
            titles(
                selectors.list_content(
                    model=Challenge, viewer=ANONYMOUS, filters={"has_accepted_solution": True}
                )
            )
            == []
        )
        assert titles(
            selectors.list_content(
                model=Challenge, viewer=moderator_user, filters={"has_accepted_solution": True}
            )
        ) == ["Accepted, then hidden"]

    def test_most_solutions_works_without_a_selection(self, db):
        few = ChallengeFactory(title="Few")
        many = ChallengeFactory(title="Many")
        SolutionFactory(challenge=few)
        SolutionFactory.create_batch(2, challenge=many)

        assert titles(
            selectors.list_content(model=Challenge, viewer=ANONYMOUS, order_by="MOST_SOLUTIONS")
        ) == [
            "Many",
            "Few",
        ]

    def test_an_unknown_order_is_invalid(self, db):
        with pytest.raises(ApplicationError) as raised:
            selectors.list_content(model=Learning, viewer=ANONYMOUS, order_by="MOST_SOLUTIONS")

        assert raised.value.code == ErrorCode.INVALID
        assert raised.value.field == "order_by"

    def test_an_unknown_choice_is_invalid(self, db):
        with pytest.raises(ApplicationError) as raised:
            selectors.list_content(
                model=Technology, viewer=ANONYMOUS, filters={"category": "SPREADSHEET"}
            )

        assert raised.value.code == ErrorCode.INVALID
        assert raised.value.field == "category"

    def test_a_blank_search_does_not_filter(self, db):
        LearningFactory.create_batch(2)

        assert (
            selectors.list_content(
                model=Learning, viewer=ANONYMOUS, filters={"search": "   "}
            ).count()
            == 2
        )

    def test_search_filters_see_unpublished_rows_the_viewer_may_see(self, author):
        LearningFactory(title="Pending zeppelin", author=author, status=ContentStatus.PENDING)

        assert titles(
            selectors.list_content(
                model=Learning, viewer=author.user, filters={"search": "zeppelin"}
            )
        ) == ["Pending zeppelin"]
        assert (
            titles(
                selectors.list_content(
                    model=Learning, viewer=ANONYMOUS, filters={"search": "zeppelin"}
                )
            )
            == []
        )


class TestLookups:
    def test_get_by_slug_honours_visibility(self, author):
        LearningFactory(title="Draft", author=author, status=ContentStatus.PENDING)

        assert selectors.get_content_by_slug(model=Learning, viewer=ANONYMOUS, slug="draft") is None
        assert (
            selectors.get_content_by_slug(model=Learning, viewer=author.user, slug="draft").title
            == "Draft"
        )

    @pytest.mark.parametrize("pk", [None, "", "abc", "1.5", "99999999999999999999999"])
    def test_get_visible_with_a_bad_primary_key_is_none(self, db, pk):
        TechnologyFactory()

        assert selectors.get_content(model=Technology, viewer=ANONYMOUS, pk=pk) is None

    def test_get_visible_finds_a_visible_row(self, db):
        challenge = ChallengeFactory()

        assert (
            selectors.get_content(model=Challenge, viewer=ANONYMOUS, pk=str(challenge.pk))
            == challenge
        )

    def test_contributor_by_username_loads_lists_for_the_viewer(self, author):
        ChallengeFactory(title="Pending", author=author, status=ContentStatus.PENDING)
        selection = {"challenges": {"title": {}}}

        as_anonymous = selectors.get_contributor_by_username(
            viewer=ANONYMOUS, username="author", selection=selection
        )
        as_author = selectors.get_contributor_by_username(
            username="author", selection=selection, viewer=author.user
        )

        assert titles(selectors.related(as_anonymous, "challenges", ANONYMOUS)) == []
        assert titles(selectors.related(as_author, "challenges", author.user)) == ["Pending"]

    def test_contributor_by_username_of_nobody_is_none(self, db):
        assert selectors.get_contributor_by_username(viewer=ANONYMOUS, username="nobody") is None


# A view of a relation, as the API declares one next to a field (ChallengeType.acceptedSolution).
ACCEPTED = View("solutions", where=Q(is_accepted=True), name="accepted_solutions")


class TestSelectionLoading:
    def test_selected_relations_are_loaded_up_front(self, author, django_assert_num_queries):
        for _ in range(3):
            challenge = ChallengeFactory(author=author, project=ProjectFactory())
            challenge.technologies.add(TechnologyFactory())
            SolutionFactory.create_batch(2, challenge=challenge, author=author)
        selection = {
            "title": {},
            "author": {"username": {}},
            "project": {"title": {}},
            "technologies": {"name": {}},
            "solutions": {"body": {}, "author": {"username": {}}},
            ACCEPTED: {"body": {}},
            "published_solution_count": {},
        }

        # challenges (author, user, project joined) + technologies + solutions + accepted
        with django_assert_num_queries(4):
            challenges = list(
                selectors.list_content(model=Challenge, viewer=ANONYMOUS, selection=selection)
            )
            for challenge in challenges:
                assert challenge.author.username == "author"
                assert challenge.project.title
                assert len(selectors.related(challenge, "technologies", ANONYMOUS)) == 1
                solutions = selectors.related(challenge, "solutions", ANONYMOUS)
                assert [s.author.username for s in solutions] == ["author", "author"]
                assert list(selectors.related(challenge, ACCEPTED, ANONYMOUS)) == []
                assert selectors.count_published_solutions(challenge=challenge) == 2

    def test_related_without_a_prefetch_queries_visible_rows(self, db):
        challenge = ChallengeFactory()
        SolutionFactory(challenge=challenge, body="published")
        SolutionFactory(challenge=challenge, body="pending", status=ContentStatus.PENDING)

        rows = selectors.related(Challenge.objects.get(), "solutions", ANONYMOUS)

        assert [row.body for row in rows] == ["published"]

    def test_solution_count_without_the_annotation_counts_published_solutions(self, db):
        challenge = ChallengeFactory()
        SolutionFactory(challenge=challenge)
        SolutionFactory(challenge=challenge, status=ContentStatus.REJECTED)

        assert selectors.count_published_solutions(challenge=Challenge.objects.get()) == 1


class TestSearch:
    def test_results_are_model_instances_best_first(self, db):
        LearningFactory(title="Other", body="mentions kafka once")
        technology = TechnologyFactory(name="Kafka")

        results = selectors.search_content(viewer=ANONYMOUS, text="kafka")

        assert results[0] == technology
        assert isinstance(results[1], Learning)

    def test_limit(self, db):
        LearningFactory.create_batch(4, title="Redis note", author=None)

        assert len(selectors.search_content(viewer=ANONYMOUS, text="redis", limit=2)) == 2

    @pytest.mark.parametrize(
        ("text", "limit", "code"),
        [
            ("", 20, ErrorCode.REQUIRED),
            ("   ", 20, ErrorCode.REQUIRED),
            (None, 20, ErrorCode.REQUIRED),
            ("x" * 201, 20, ErrorCode.TOO_LONG),
            ("redis", 0, ErrorCode.INVALID),
            ("redis", 101, ErrorCode.INVALID),
        ],
    )
    def test_invalid_arguments(self, db, text, limit, code):
        with pytest.raises(ApplicationError) as raised:
            selectors.search_content(viewer=ANONYMOUS, text=text, limit=limit)

        assert raised.value.code == code

    def test_unpublished_rows_are_never_results(self, author):
        LearningFactory(title="Pending zeppelin", author=author, status=ContentStatus.PENDING)

        assert selectors.search_content(viewer=author.user, text="zeppelin") == []


class TestHubStats:
    def test_counts_published_content(self, author):
        TechnologyFactory()
        LearningFactory(author=author)
        LearningFactory(author=author, status=ContentStatus.PENDING)
        challenge = ChallengeFactory(author=author)
        SolutionFactory(challenge=challenge, author=author)
        SolutionFactory(
            challenge=ChallengeFactory(author=author, status=ContentStatus.HIDDEN), author=author
        )

        assert selectors.get_hub_stats() == selectors.HubStats(
            technologies=1, learnings=1, projects=0, challenges=1, solutions=1, contributors=1
        )


class TestContainedContent:
    """Solutions and comments are visible only while what holds them is: every status of
    the row and of its container, written by the viewer or not, as every kind of viewer."""

    STATUSES = list(ContentStatus)

    def test_solutions_and_comments_follow_their_container(self, author):
        other = ContributorFactory()
        moderator = ContributorFactory(user__is_staff=True)
        for c_status, s_status, c_author, s_author in product(
            self.STATUSES, self.STATUSES, (author, other), (author, other)
        ):
            challenge = ChallengeFactory(status=c_status, author=c_author)
            solution = SolutionFactory(challenge=challenge, status=s_status, author=s_author)
            for target in ({"challenge": challenge}, {"solution": solution}):
                Comment.objects.create(body="c", status=s_status, author=s_author, **target)

        def own(row, viewer):
            return row.status == ContentStatus.PUBLISHED or (
                viewer is not None and row.author_id == viewer.pk
            )

        def expected(row, viewer):
            if viewer is moderator:
                return True
            if isinstance(row, Challenge):
                return own(row, viewer)
            holder = row.challenge if isinstance(row, Solution) else row.challenge or row.solution
            return own(row, viewer) and expected(holder, viewer)

        for viewer in (None, author, other, moderator):
            user = viewer.user if viewer else ANONYMOUS
            for model in (Solution, Comment):
                rows = model.objects.select_related(
                    "challenge", *(["solution__challenge"] if model is Comment else [])
                )
                want = {row.pk for row in rows if expected(row, viewer)}
                got = set(selectors.visible_queryset(model, user).values_list("pk", flat=True))
                assert got == want, (model.__name__, viewer)
        assert Comment.objects.count() == 2 * Solution.objects.count() == 2 * 64
