from rest_framework.routers import SimpleRouter

from api.v1 import customers

router = SimpleRouter(trailing_slash="/?")
router.register("customers", customers.CustomerViewSet, basename="customer")

urlpatterns = router.urls
