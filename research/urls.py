from django.urls import path

from . import feeds, views

app_name = "research"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("research/", views.ThemeListView.as_view(), name="theme_list"),
    path("research/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
    path("research/<slug:slug>/feed/", feeds.ThemeFeed(), name="theme_feed"),
    path("members/", views.MemberListView.as_view(), name="member_list"),
    path("members/<slug:slug>/", views.MemberDetailView.as_view(), name="member"),
    path("access/", views.AccessView.as_view(), name="access"),
]
