"""REST API of the classifier app (researchers only: see REST_FRAMEWORK's default permission)."""

urlpatterns: list = []
