from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import has_perm
from gonghui.core.errors import DomainError
from gonghui.core.excel import xlsx_bytes
from gonghui.core.http import AuthedRequest
from gonghui.core.pages import paginate, staff_page
from gonghui.jobs.services import job_start
from gonghui.orgs import rules, selectors, services
from gonghui.orgs.forms import (
    CloseForm,
    ImportForm,
    MergeForm,
    MoveForm,
    UnionCreateForm,
    UnionEditForm,
)
from gonghui.orgs.importer import ALIASES
from gonghui.orgs.models import UnionKind


@staff_page("org.view")
def tree(request: AuthedRequest) -> HttpResponse:
    """The tree browser: the actor's top nodes, children loaded on demand; or search results."""
    query = request.GET.get("q", "").strip()
    context = {"q": query, "can_manage": has_perm(request.user, "org.manage")}
    if query:
        context["page"] = paginate(request, selectors.union_list(actor=request.user, query=query))
    else:
        context["roots"] = selectors.union_roots(actor=request.user)
    template = "orgs/partials/results.html" if request.htmx and query else "orgs/tree.html"
    return render(request, template, context)


@staff_page("org.view")
def children(request: HttpRequest, code: str) -> HttpResponse:
    parent = selectors.union_get(actor=request.user, code=code)
    nodes = selectors.union_children(actor=request.user, parent=parent)[:500]
    return render(request, "orgs/partials/children.html", {"parent": parent, "nodes": nodes})


@staff_page("org.view")
def detail(request: HttpRequest, code: str) -> HttpResponse:
    union = selectors.union_get(actor=request.user, code=code)
    can_manage = has_perm(request.user, "org.manage", union.path)
    context = {
        "union": union,
        "can_manage": can_manage,
        "ancestors": selectors.union_ancestors(actor=request.user, union=union),
        "edit_form": UnionEditForm(
            initial={"name": union.name, "uscc": union.uscc or "", "address": union.address}
        ),
        "create_form": UnionCreateForm(parent_kind=union.kind),
        "move_form": MoveForm(),
        "merge_form": MergeForm(),
        "close_form": CloseForm(),
    }
    return render(request, "orgs/detail.html", context)


@staff_page("org.view")
@require_POST
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """One POST endpoint per action on a union; errors come back as messages on its page.

    The permission is checked on the union itself: 404 outside the actor's view, 403 where
    they see it but may not manage it."""
    actor = request.user
    union = selectors.union_get(actor=actor, code=code, permission="org.manage")
    forms = {
        "edit": UnionEditForm,
        "create": UnionCreateForm,
        "move": MoveForm,
        "merge": MergeForm,
        "close": CloseForm,
    }
    if action not in forms:
        return redirect("orgs:detail", code=union.code)
    form = forms[action](request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查填写的内容：%(errors)s") % {"errors": _flat(form)})
        return redirect("orgs:detail", code=union.code)
    data = form.cleaned_data
    target_code = union.code
    try:
        if action == "edit":
            services.union_update(
                by=actor, union=union, name=data["name"], address=data["address"], uscc=data["uscc"]
            )
            messages.success(request, _("已保存"))
        elif action == "create":
            child = services.union_create(by=actor, parent=union, **data)
            messages.success(request, _("已新建 %(name)s") % {"name": child.name})
            target_code = child.code
        elif action == "move":
            parent = selectors.union_get(
                actor=actor, code=rules.normalise_code(data["parent"]), permission="org.manage"
            )
            services.union_move(by=actor, union=union, new_parent=parent)
            messages.success(request, _("已迁移到 %(name)s 之下") % {"name": parent.name})
        elif action == "merge":
            target = selectors.union_get(
                actor=actor, code=rules.normalise_code(data["into"]), permission="org.manage"
            )
            services.union_merge(by=actor, source=union, target=target)
            messages.success(request, _("已并入 %(name)s") % {"name": target.name})
            target_code = target.code
        else:
            services.union_close(by=actor, union=union, reason=data["reason"])
            messages.success(request, _("已撤销"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("orgs:detail", code=target_code)


def _flat(form: Any) -> str:
    return "；".join(str(msg) for msgs in form.errors.values() for msg in msgs)


@staff_page("org.manage")
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = job_start(
            by=request.user,
            kind="orgs.import",
            title=_("导入组织架构"),
            params={"dry_run": form.cleaned_data["dry_run"]},
            input_file=form.cleaned_data["file"],
        )
        return redirect("jobs:detail", public_id=job.public_id)
    return render(request, "orgs/import.html", {"form": form})


@staff_page("org.view")
def template_download(request: HttpRequest) -> HttpResponse:
    headers = [names[0] for names in ALIASES.values()]
    example = [["D09", "示例区总工会", str(UnionKind.COUNTY.label), "CITY", "", "示例区人民路1号"]]
    response = HttpResponse(
        xlsx_bytes(headers, example),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="org-template.xlsx"'
    return response
