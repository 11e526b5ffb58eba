from django.urls import path

from gonghui.orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_page, name="import"),
    path("template.xlsx", views.template_download, name="template"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/<str:action>/", views.act, name="act"),
]
