from ninja import Router

router = Router(tags=["创建标准"])
