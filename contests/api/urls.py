"""URLs of the contests API (see the package's docstring for the map)."""

from rest_framework.routers import DefaultRouter

from contests.api.invitations import InvitationViewSet
from contests.api.phases import PhaseViewSet
from contests.api.studies import StudyViewSet

router = DefaultRouter()
router.register("studies", StudyViewSet, basename="study")
router.register("phases", PhaseViewSet, basename="phase")
router.register("invitations", InvitationViewSet, basename="invitation")

app_name = "contests-api"
urlpatterns = router.urls
