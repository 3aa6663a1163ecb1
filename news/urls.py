from django.urls import path

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("news/", views.NewsListView.as_view(), name="list"),
    path("news/feed/", feeds.NewsFeed(), name="feed"),
    path("news/<slug:slug>/", views.NewsDetailView.as_view(), name="detail"),
]
