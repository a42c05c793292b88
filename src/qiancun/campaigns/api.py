from ninja import Router

router = Router(tags=["年度创建"])
