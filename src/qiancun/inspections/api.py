from ninja import Router

router = Router(tags=["验收与督导"])
