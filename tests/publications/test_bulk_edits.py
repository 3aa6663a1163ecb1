"""Bulk edits from the publication admin's list: each action, its undo, and who may do them."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.urls import reverse

from publications import bulk
from publications.models import EditBatch, Publication
from research.models import RepresentativePublication
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:publications_publication_changelist")


def post_action(client, action, papers, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [p.pk for p in papers], **extra}
    return client.post(CHANGELIST, data)


def keyword_ids(paper):
    return set(Publication.objects.get(pk=paper.pk).keywords.values_list("pk", flat=True))


def test_adding_a_keyword_asks_which_then_adds_it_to_every_selected_paper(editor_client):
    old = factories.keyword()
    new = factories.keyword(name_en="Grain boundaries")
    a, b, c = factories.paper(), factories.paper(keywords=[new]), factories.paper()
    page = post_action(editor_client, "add_keyword", [a, b])
    assert page.status_code == 200
    html = page.content.decode()
    assert "admin/autocomplete" in html or "data-ajax--url" in html  # typed, not a long list
    response = post_action(editor_client, "add_keyword", [a, b], apply="1", target=new.pk)
    assert response.status_code == 302
    assert new.pk in keyword_ids(a) and new.pk in keyword_ids(b)
    assert new.pk not in keyword_ids(c)
    batch = EditBatch.objects.get()
    # b had the keyword already: only a was changed, so only a is undone.
    assert (batch.selected_count, batch.changed_count) == (2, 1)
    factories.paper(keywords=[old])
    bulk.undo(batch)
    assert new.pk not in keyword_ids(a)
    assert new.pk in keyword_ids(b)


def test_a_choice_missing_is_asked_again_with_an_error_not_applied(editor_client):
    a = factories.paper()
    response = post_action(editor_client, "add_keyword", [a], apply="1", target="999999")
    assert response.status_code == 400
    assert not EditBatch.objects.exists()


def test_removing_a_keyword_offers_only_the_selected_papers_keywords_and_undo_puts_it_back(
    editor_client,
):
    kept, gone, elsewhere = factories.keyword(), factories.keyword(), factories.keyword()
    a, b = factories.paper(keywords=[kept, gone]), factories.paper(keywords=[gone])
    factories.paper(keywords=[elsewhere])
    page = post_action(editor_client, "remove_keyword", [a, b]).content.decode()
    assert f'value="{gone.pk}"' in page and f'value="{elsewhere.pk}"' not in page
    post_action(editor_client, "remove_keyword", [a, b], apply="1", target=gone.pk)
    assert keyword_ids(a) == {kept.pk} and keyword_ids(b) == set()
    bulk.undo(EditBatch.objects.get())
    assert keyword_ids(a) == {kept.pk, gone.pk} and keyword_ids(b) == {gone.pk}


def test_undo_keeps_a_change_made_after_the_edit(editor_client):
    keyword = factories.keyword()
    a, b = factories.paper(), factories.paper()
    post_action(editor_client, "add_keyword", [a, b], apply="1", target=keyword.pk)
    # Someone removes it from b by hand, then adds another keyword to a.
    Publication.objects.get(pk=b.pk).keywords.remove(keyword)
    other = factories.keyword()
    Publication.objects.get(pk=a.pk).keywords.add(other)
    summary = bulk.undo(EditBatch.objects.get())
    assert keyword_ids(a) == {other.pk} and keyword_ids(b) == set()
    assert (summary.restored, summary.kept) == (1, 1)


def test_publish_and_unpublish_and_their_undo(editor_client):
    shown, hidden = factories.paper(), factories.paper(is_published=False)
    response = post_action(editor_client, "unpublish", [shown, hidden])
    assert response.status_code == 302
    assert not Publication.objects.filter(is_published=True).exists()
    unpublish = EditBatch.objects.get()
    assert unpublish.changed_count == 1
    post_action(editor_client, "publish", [hidden])
    bulk.undo(unpublish)
    # shown goes back to shown; hidden was published since by another edit and stays so.
    assert Publication.objects.get(pk=shown.pk).is_published
    assert Publication.objects.get(pk=hidden.pk).is_published


def test_the_public_list_follows_an_unpublish_and_its_undo(client, editor_client):
    paper = factories.paper(title_en="A paper to hide for a while")
    url = reverse("publications:list")
    assert paper.title_en in client.get(url).content.decode()
    post_action(editor_client, "unpublish", [paper])
    assert paper.title_en not in client.get(url).content.decode()
    bulk.undo(EditBatch.objects.get())
    assert paper.title_en in client.get(url).content.decode()


def test_adding_to_a_theme_appends_after_the_editors_representatives_and_undo_removes(
    editor_client,
):
    first = factories.paper()
    theme = factories.theme(representatives=[first])
    old, new = factories.paper(year=2019), factories.paper(year=2024)
    page = post_action(editor_client, "add_theme", [old, new]).content.decode()
    assert str(theme.title_en) in page or str(theme.title_ja) in page
    post_action(editor_client, "add_theme", [old, new, first], apply="1", target=theme.pk)
    rows = list(
        RepresentativePublication.objects.filter(theme=theme)
        .order_by("order")
        .values_list("publication_id", flat=True)
    )
    assert rows == [first.pk, new.pk, old.pk]  # newest first, after the editors' own
    bulk.undo(EditBatch.objects.get())
    assert list(theme.representatives.values_list("publication_id", flat=True)) == [first.pk]


def test_removing_from_a_theme_and_undo_restores_the_order(editor_client):
    a, b, c = factories.paper(), factories.paper(), factories.paper()
    theme = factories.theme(representatives=[a, b, c])
    before = list(theme.representatives.values_list("publication_id", "order"))
    post_action(editor_client, "remove_theme", [a, c], apply="1", target=theme.pk)
    assert list(theme.representatives.values_list("publication_id", flat=True)) == [b.pk]
    bulk.undo(EditBatch.objects.get())
    assert list(theme.representatives.values_list("publication_id", "order")) == before


def test_undo_page_in_the_admin_undoes_once_and_then_refuses(editor_client):
    paper = factories.paper()
    post_action(editor_client, "unpublish", [paper])
    batch = EditBatch.objects.get()
    url = reverse("admin:publications_editbatch_undo", args=[batch.pk])
    assert editor_client.get(url).status_code == 200
    assert editor_client.post(url).status_code == 302
    assert Publication.objects.get(pk=paper.pk).is_published
    assert EditBatch.objects.get().status == EditBatch.Status.UNDONE
    assert editor_client.post(url).status_code == 409
    with pytest.raises(bulk.BulkEditError):
        bulk.undo(batch)


def test_undo_of_an_edit_whose_keyword_was_deleted_says_so(editor_client):
    keyword = factories.keyword()
    paper = factories.paper(keywords=[keyword])
    post_action(editor_client, "remove_keyword", [paper], apply="1", target=keyword.pk)
    keyword.delete()
    assert bulk.undo(EditBatch.objects.get()).gone


def test_the_edit_pages_speak_both_languages(editor_client):
    paper = factories.paper()
    post_action(editor_client, "unpublish", [paper])
    batch = EditBatch.objects.get()
    for language, words in [("ja", "一括編集"), ("en", "Bulk edit")]:
        editor_client.cookies["django_language"] = language
        undo_page = editor_client.get(reverse("admin:publications_editbatch_undo", args=[batch.pk]))
        choice_page = post_action(editor_client, "add_keyword", [paper])
        assert words in undo_page.content.decode()
        assert words in choice_page.content.decode() or language == "en"


def test_anonymous_visitors_cannot_edit_in_bulk(client):
    paper = factories.paper()
    response = post_action(client, "unpublish", [paper])
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert Publication.objects.get(pk=paper.pk).is_published
    batch = bulk.apply(EditBatch.Action.UNPUBLISH, Publication.objects.all())
    response = client.post(reverse("admin:publications_editbatch_undo", args=[batch.pk]))
    assert response.status_code == 302
    assert EditBatch.objects.get().status == EditBatch.Status.APPLIED


def test_staff_who_may_only_view_papers_are_not_offered_the_actions(client):
    from django.contrib.auth.models import Permission

    user = User.objects.create_user("viewer", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_publication"))
    client.force_login(user)
    paper = factories.paper()
    page = client.get(CHANGELIST).content.decode()
    assert 'value="unpublish"' not in page
    post_action(client, "unpublish", [paper])
    assert Publication.objects.get(pk=paper.pk).is_published
    batch = bulk.apply(EditBatch.Action.UNPUBLISH, Publication.objects.all())
    url = reverse("admin:publications_editbatch_undo", args=[batch.pk])
    assert client.post(url).status_code == 403


def test_marking_peer_reviewed_and_undo_restores_unknown_as_unknown(editor_client):
    unknown = factories.paper()  # peer_reviewed not recorded (None)
    refereed = factories.paper(peer_reviewed=True)
    not_refereed = factories.paper(peer_reviewed=False)
    papers = [unknown, refereed, not_refereed]
    assert post_action(editor_client, "peer_reviewed", papers).status_code == 302
    values = dict(Publication.objects.values_list("pk", "peer_reviewed"))
    assert values == {unknown.pk: True, refereed.pk: True, not_refereed.pk: True}
    batch = EditBatch.objects.get()
    assert batch.changed_count == 2
    bulk.undo(batch)
    values = dict(Publication.objects.values_list("pk", "peer_reviewed"))
    assert values == {unknown.pk: None, refereed.pk: True, not_refereed.pk: False}


def test_marking_not_peer_reviewed(editor_client):
    paper = factories.paper(peer_reviewed=True)
    post_action(editor_client, "not_peer_reviewed", [paper])
    assert Publication.objects.get(pk=paper.pk).peer_reviewed is False


def test_select_all_of_a_filtered_list_edits_every_paper_the_filter_keeps(editor_client):
    keyword = factories.keyword()
    in_2020 = [factories.paper(year=2020) for _n in range(3)]
    other = factories.paper(year=2021)
    url = CHANGELIST + "?year=2020"
    page = editor_client.post(
        url,
        {"action": "add_keyword", ACTION_CHECKBOX_NAME: [in_2020[0].pk], "select_across": "1"},
    )
    assert page.status_code == 200 and 'name="select_across" value="1"' in page.content.decode()
    data = {
        "action": "add_keyword",
        ACTION_CHECKBOX_NAME: [in_2020[0].pk],
        "select_across": "1",
        "apply": "1",
        "target": keyword.pk,
    }
    assert editor_client.post(url, data).status_code == 302
    assert all(keyword.pk in keyword_ids(paper) for paper in in_2020)
    assert keyword.pk not in keyword_ids(other)


def test_the_record_of_an_edit_lists_the_papers_it_changed_with_the_undo_button(editor_client):
    keyword = factories.keyword()
    changed = factories.paper(title_en="A paper the edit changed")
    factories.paper(title_en="A paper it left alone", keywords=[keyword])
    batch = bulk.apply(EditBatch.Action.ADD_KEYWORD, Publication.objects.all(), keyword)
    listing = editor_client.get(reverse("admin:publications_editbatch_changelist"))
    assert listing.status_code == 200
    page = editor_client.get(reverse("admin:publications_editbatch_change", args=[batch.pk]))
    html = page.content.decode()
    assert changed.title_en in html and "A paper it left alone" not in html
    assert reverse("admin:publications_editbatch_undo", args=[batch.pk]) in html
