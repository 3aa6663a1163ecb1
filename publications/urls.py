from django.urls import path

from . import feeds, views

app_name = "publications"

urlpatterns = [
    path("publications/", views.PublicationListView.as_view(), name="list"),
    path("publications/feed/", feeds.PublicationFeed(), name="feed"),
    path("publications/suggest/", views.suggest_terms, name="suggest"),
    path("publications/<slug:slug>/", views.PublicationDetailView.as_view(), name="detail"),
    path("keywords/", views.KeywordListView.as_view(), name="keyword_list"),
    path("keywords/<slug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
    path("keywords/<slug:slug>/feed/", feeds.KeywordFeed(), name="keyword_feed"),
]
