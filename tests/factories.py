import factory
from django.contrib.auth import get_user_model

from hub.models import (
    Challenge,
    ContentStatus,
    Contributor,
    Learning,
    LearningKind,
    Project,
    Resource,
    ResourceKind,
    Solution,
    Technology,
    TechnologyCategory,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor

    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda c: c.user.username.title())

    @classmethod
    def _create(cls, model_class, user, **fields):
        # Every user gets a profile when it is created (hub.signals): fill that one in.
        contributor = user.contributor
        for name, value in fields.items():
            setattr(contributor, name, value)
        contributor.save()
        return contributor


class TechnologyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technology

    name = factory.Sequence(lambda n: f"Technology {n}")
    category = TechnologyCategory.FRAMEWORK
    summary = "A technology."
    learned = "Learned **things**."


class LearningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learning

    title = factory.Sequence(lambda n: f"Learning {n}")
    kind = LearningKind.CONCEPT
    summary = "A learning."
    body = "Body of the learning."
    author = factory.SubFactory(ContributorFactory)
    status = ContentStatus.PUBLISHED


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"Project {n}")
    summary = "A project."
    description = "Description of the project."
    highlights = factory.LazyFunction(lambda: ["REST API", "GraphQL API"])


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    title = factory.Sequence(lambda n: f"Challenge {n}")
    description = "What went wrong."
    author = factory.SubFactory(ContributorFactory)
    status = ContentStatus.PUBLISHED


class SolutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Solution

    challenge = factory.SubFactory(ChallengeFactory)
    body = "How it was solved."
    author = factory.SubFactory(ContributorFactory)
    status = ContentStatus.PUBLISHED


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    title = factory.Sequence(lambda n: f"Resource {n}")
    url = factory.Sequence(lambda n: f"https://docs.example.com/page-{n}")
    kind = ResourceKind.DOCS
    summary = "What the page **teaches**."
    author = factory.SubFactory(ContributorFactory)
    status = ContentStatus.PUBLISHED
