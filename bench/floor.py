"""The floor: a plain Django view answering each benchmark query with one
hand-written SQL statement that builds the whole JSON response (json_agg).

It does what Nexus does for the same documents (visibility, order, limits) with
no GraphQL at all: the fastest a Django process can serve this data.
"""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path

AUTHOR = """(SELECT json_build_object('username', u.username, 'displayName', co.display_name)
    FROM hub_contributor co JOIN auth_user u ON u.id = co.user_id WHERE co.id = {fk})"""

PROJECT = """(SELECT json_build_object('title', p.title, 'slug', p.slug)
    FROM hub_project p WHERE p.id = ch.project_id)"""

TECHNOLOGIES = """json_build_object('edges', (
    SELECT coalesce(json_agg(json_build_object('node',
             json_build_object('name', t.name, 'slug', t.slug)) ORDER BY lower(t.name), t.id), '[]')
    FROM hub_challenge_technologies ct JOIN hub_technology t ON t.id = ct.technology_id
    WHERE ct.challenge_id = ch.id))"""


def solutions(text_column: str, text_field: str, limit: int) -> str:
    """The challenge's published solutions, accepted first then by score, as edges."""
    return f"""json_build_object('edges', (
    SELECT coalesce(json_agg(json_build_object('node', json_build_object(
             'id', encode(convert_to('Solution:' || s.id, 'UTF8'), 'base64'),
             '{text_field}', s.{text_column}, 'score', s.score, 'isAccepted', s.is_accepted,
             'author', {AUTHOR.format(fk="s.author_id")}))
             ORDER BY s.is_accepted DESC, s.score DESC, s.created_at, s.id), '[]')
    FROM (SELECT * FROM hub_solution so
          WHERE so.challenge_id = ch.id AND so.status = 'PUBLISHED'
          ORDER BY so.is_accepted DESC, so.score DESC, so.created_at, so.id LIMIT {limit}) s))"""


NESTED_LIST = f"""
SELECT json_build_object('data', json_build_object('challenges', json_build_object('edges',
  coalesce(json_agg(json_build_object('node', c.node) ORDER BY c.created_at DESC, c.id DESC),
           '[]'::json))))::text
FROM (
  SELECT ch.id, ch.created_at, json_build_object(
    'id', encode(convert_to('Challenge:' || ch.id, 'UTF8'), 'base64'),
    'title', ch.title, 'slug', ch.slug, 'createdAt', ch.created_at,
    'author', {AUTHOR.format(fk="ch.author_id")},
    'project', {PROJECT},
    'technologies', {TECHNOLOGIES},
    'solutions', {solutions("body", "body", 5)}
  ) AS node
  FROM hub_challenge ch
  WHERE ch.status = 'PUBLISHED'
  ORDER BY ch.created_at DESC, ch.id DESC
  LIMIT 100
) c
"""

COMMENT = """json_build_object(
    'id', encode(convert_to('Comment:' || {a}.id, 'UTF8'), 'base64'),
    'bodyHtml', {a}.body_html,
    'author', (SELECT json_build_object('username', u.username) FROM hub_contributor co
               JOIN auth_user u ON u.id = co.user_id WHERE co.id = {a}.author_id))"""

SINGLE_CHALLENGE = f"""
SELECT json_build_object('data', json_build_object('challenge', (
  SELECT json_build_object(
    'id', encode(convert_to('Challenge:' || ch.id, 'UTF8'), 'base64'),
    'title', ch.title, 'descriptionHtml', ch.description_html, 'createdAt', ch.created_at,
    'author', {AUTHOR.format(fk="ch.author_id")},
    'project', {PROJECT},
    'technologies', {TECHNOLOGIES},
    'solutions', {solutions("body_html", "bodyHtml", 20)},
    'comments', json_build_object('edges', (
        SELECT coalesce(json_agg(json_build_object('node',
                 {COMMENT.format(a="cm")}::jsonb || jsonb_build_object('replies',
                   json_build_object('edges', (
                     SELECT coalesce(json_agg(json_build_object('node', {COMMENT.format(a="r")})
                              ORDER BY r.created_at, r.id), '[]')
                     FROM hub_comment r
                     WHERE r.parent_id = cm.id AND r.status = 'PUBLISHED'))))
                 ORDER BY cm.created_at, cm.id), '[]')
        FROM hub_comment cm
        WHERE cm.challenge_id = ch.id AND cm.parent_id IS NULL AND cm.status = 'PUBLISHED'))
  )
  FROM hub_challenge ch WHERE ch.slug = %(slug)s AND ch.status = 'PUBLISHED'
)))::text
"""

# Search returns the ranked documents' kind, id and title (no per-kind loading).
SEARCH = """
SELECT json_build_object('data', json_build_object('search', coalesce(json_agg(json_build_object(
    '__typename', initcap(ct.model), 'id', encode(convert_to(initcap(ct.model) || ':' ||
    d.object_id, 'UTF8'), 'base64'), 'title', d.title) ORDER BY d.rank DESC, d.updated_at DESC,
    d.id), '[]'::json)))::text
FROM (
  -- hub.selectors.search's rule: every word matches (a LIKE on the lower-cased text),
  -- rank 4/2/1 per word in title/summary/text. Words split on spaces: the bench's are plain.
  SELECT id, content_type_id, object_id, title, updated_at,
         (SELECT sum((title LIKE '%%' || t || '%%')::int * 4
                     + (summary LIKE '%%' || t || '%%')::int * 2
                     + (text LIKE '%%' || t || '%%')::int) FROM unnest(w.terms) t) AS rank
  FROM hub_searchdocument,
       LATERAL (SELECT array_agg(DISTINCT t) AS terms
                FROM unnest(string_to_array(lower(%(q)s), ' ')) t WHERE t <> '') w
  WHERE is_published AND NOT EXISTS (
    SELECT 1 FROM unnest(w.terms) t
    WHERE NOT (title LIKE '%%' || t || '%%' OR summary LIKE '%%' || t || '%%'
               OR text LIKE '%%' || t || '%%'))
  ORDER BY rank DESC, updated_at DESC, id
  LIMIT 20
) d JOIN django_content_type ct ON ct.id = d.content_type_id
"""


def _answer(sql: str, params: dict) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (body,) = cursor.fetchone()
    return HttpResponse(body, content_type="application/json")


def nested_list(request):
    return _answer(NESTED_LIST, {})


def single_challenge(request):
    return _answer(SINGLE_CHALLENGE, {"slug": request.GET.get("slug", "")})


def search(request):
    q = request.GET.get("q", "").strip()
    if not q:
        return JsonResponse({"errors": [{"message": "q is required"}]}, status=400)
    return _answer(SEARCH, {"q": q})


urlpatterns = [
    path("floor/nested_list", nested_list),
    path("floor/single_challenge", single_challenge),
    path("floor/search", search),
]
