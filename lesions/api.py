"""REST API of the lesions app (researchers only: see REST_FRAMEWORK's default permission)."""

urlpatterns: list = []
