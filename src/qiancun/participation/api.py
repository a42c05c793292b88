from ninja import Router

router = Router(tags=["农民参与"])
