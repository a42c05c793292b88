from ninja import Router

router = Router(tags=["问题整改"])
