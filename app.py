"""The Chalice application: wiring only.

Routes live in blueprints by audience (candidates, the exam, staff, pages);
every request passes the middleware in `chalicelib.web.middleware`.
"""

from chalice.app import Chalice

from chalicelib.web import admin, candidate, exam, middleware, pages

app = Chalice(app_name="hr-exam")
app.api.binary_types.append("image/png")
app.register_middleware(middleware.http, "http")
app.register_blueprint(candidate.bp)
app.register_blueprint(exam.bp)
app.register_blueprint(admin.bp)
app.register_blueprint(pages.bp)
