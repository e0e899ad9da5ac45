"""REST API of the contests app (researchers only: see REST_FRAMEWORK's default permission)."""

urlpatterns: list = []
