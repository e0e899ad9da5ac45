"""REST API of the analysis app (researchers only: see REST_FRAMEWORK's default permission)."""

urlpatterns: list = []
