"""Just enough of the identity API to seed Keystone: projects, users, roles,
the catalogue."""

import urllib.parse

from launcher.loopback import http
from launcher.settings import DOMAIN, REGION, SERVICE_USERS, USERS


class Keystone:
    """Just enough of the identity API to seed it, over loopback."""

    def __init__(self, auth_url):
        self.auth_url = auth_url
        self.admin_token = None

    def token(self, user, password, project, domain=DOMAIN):
        body = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": user,
                            "password": password,
                            "domain": {"id": domain},
                        }
                    },
                },
                "scope": {"project": {"name": project, "domain": {"id": domain}}},
            }
        }
        response = http("POST", self.auth_url + "/auth/tokens", body).expect(
            201, what=f"keystone: authenticating {user}"
        )
        return response.headers["X-Subject-Token"], response.json["token"]

    def login_admin(self):
        admin = USERS["admin"]
        self.admin_token, _ = self.token(
            admin["name"], admin["password"], admin["project"]
        )

    def _call(self, method, path, body=None, ok=(200,)):
        return http(method, self.auth_url + path, body, token=self.admin_token).expect(
            *ok, what=f"keystone: {method} {path}"
        )

    def _find(self, collection, **query):
        path = f"/{collection}?{urllib.parse.urlencode(query)}"
        items = self._call("GET", path).json[collection.split("/")[-1]]
        return items[0] if items else None

    def ensure(self, collection, singular, query, body):
        found = self._find(collection, **query)
        if found:
            return found
        return self._call("POST", "/" + collection, {singular: body}, ok=(201,)).json[
            singular
        ]

    def ensure_project(self, name):
        return self.ensure(
            "projects",
            "project",
            {"name": name},
            {
                "name": name,
                "domain_id": DOMAIN,
                "description": f"devcloud project {name}",
            },
        )

    def ensure_user(self, name, password, project):
        return self.ensure(
            "users",
            "user",
            {"name": name},
            {
                "name": name,
                "password": password,
                "domain_id": DOMAIN,
                "default_project_id": project["id"],
            },
        )

    def grant(self, project, user, role):
        self._call(
            "PUT",
            f"/projects/{project['id']}/users/{user['id']}/roles/{role['id']}",
            ok=(204,),
        )

    def ensure_endpoints(self, service_type, name, url):
        service = self.ensure(
            "services",
            "service",
            {"type": service_type},
            {"type": service_type, "name": name, "description": f"devcloud {name}"},
        )
        for interface in ("public", "internal"):
            found = self._find(
                "endpoints", service_id=service["id"], interface=interface
            )
            if found and found["url"] != url:
                self._call(
                    "PATCH",
                    f"/endpoints/{found['id']}",
                    {"endpoint": {"url": url}},
                )
            elif not found:
                self._call(
                    "POST",
                    "/endpoints",
                    {
                        "endpoint": {
                            "service_id": service["id"],
                            "interface": interface,
                            "url": url,
                            "region_id": REGION,
                        }
                    },
                    ok=(201,),
                )
        return service


def seed_keystone(settings):
    keystone = Keystone(settings.auth_url)
    keystone.login_admin()
    roles = {
        name: keystone._find("roles", name=name)
        for name in ("admin", "member", "reader", "service")
    }
    if not roles["service"]:
        roles["service"] = keystone.ensure(
            "roles", "role", {"name": "service"}, {"name": "service"}
        )
    projects = {
        name: keystone.ensure_project(name) for name in ("admin", "demo", "service")
    }
    member = USERS["member"]
    user = keystone.ensure_user(member["name"], member["password"], projects["demo"])
    keystone.grant(projects["demo"], user, roles["member"])
    for name, password in SERVICE_USERS.items():
        user = keystone.ensure_user(name, password, projects["service"])
        keystone.grant(projects["service"], user, roles["admin"])
        keystone.grant(projects["service"], user, roles["service"])
    keystone.ensure_endpoints("compute", "nova", settings.compute_url)
    keystone.ensure_endpoints("database", "trove", settings.database_url_template)
    return {name: project["id"] for name, project in projects.items()}
