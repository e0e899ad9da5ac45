"""REST API of the gan app (researchers only: see REST_FRAMEWORK's default permission)."""

urlpatterns: list = []
