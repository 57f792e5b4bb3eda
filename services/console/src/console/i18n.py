"""The pages' words, Chinese first and English under the language switch (or `Accept-Language: en`)."""

from __future__ import annotations

from servicekit.problems import Language, language

LANG_COOKIE = "landgrade_lang"

WORDS: dict[str, tuple[str, str]] = {
    "app": ("亦庄工业用地综合评价", "E-Town industrial land evaluation"),
    "signin": ("登录", "Sign in"), "signout": ("退出登录", "Sign out"),
    "username": ("用户名", "User name"), "password": ("密码", "Password"),
    "signin_oidc": ("统一身份认证登录", "Sign in with the identity provider"),
    "signin_failed": ("用户名或密码错误。", "Wrong user name or password."),
    "signin_needed": ("请先登录。", "Please sign in."),
    "map": ("一张图", "Map"), "public": ("优质用地名单公示", "Quality holders (public)"),
    "inspector": ("巡检", "Inspections"), "enterprise": ("我的企业", "My enterprise"),
    "lists": ("名单", "Lists"), "year": ("年度", "Year"), "street": ("街道/镇", "Street/town"),
    "grade": ("等级", "Grade"), "category": ("类别", "Category"), "all": ("全部", "All"),
    "filter": ("筛选", "Filter"), "search": ("搜索地块编号或企业名称", "Search parcel id or enterprise name"),
    "go": ("查询", "Go"), "provisional": ("暂定", "provisional"), "final": ("最终", "final"),
    "no_outline": ("宗地块无边界数据，未在图上显示", "parcels have no outline and are not drawn"),
    "card": ("地块体检表", "Parcel health card"), "holder": ("产权人", "Rights holder"),
    "tenants": ("承租企业", "Tenants"), "area": ("面积", "Area"), "hectare": ("公顷", "ha"),
    "approved": ("已批准", "approved"), "unauthorised": ("未经批准", "unauthorised"),
    "equity_linked": ("有股权关联", "equity-linked"), "no_equity_link": ("无股权关联", "no equity link"),
    "output_per_ha": ("地均产值", "Output per hectare"), "tax_per_ha": ("地均税收", "Tax per hectare"),
    "threshold": ("标准", "threshold"), "reasons": ("评价理由", "Reasons"), "clause": ("条款", "clause"),
    "setting": ("规则设置", "ruleset setting"),
    "next_grade": ("提升等级还需", "What it would take"), "history": ("历年等级", "Grade history"),
    "cases": ("执法与引导案件", "Cases"), "inspections": ("巡检记录", "Inspections"),
    "benefits": ("产权人权益", "Holder's benefit standing"), "green_channel": ("绿色通道", "green channel"),
    "key_service": ("重点服务企业名单", "key-service list"), "restricted": ("受限", "restricted"),
    "yes": ("是", "yes"), "no": ("否", "no"), "not_allowed": ("无权查看", "Not available to your role"),
    "none": ("无", "none"), "no_grade": ("尚无评价", "Not graded yet"),
    "persons": ("责任人", "Responsible persons"),
    "public_intro": ("依据《关于规范工业用地管理促进产业高质量发展的若干措施》公示综合评价为A类的工业用地产权单位。"
                     "公示内容仅包括企业名称、统一社会信用代码、地块编号和年度，不含任何个人信息。",
                     "The rights holders of industrial parcels graded A under the E-Town measures. The list shows "
                     "the enterprise name, its USCC, the parcel and the year only; nothing personal."),
    "enterprise_name": ("企业名称", "Enterprise"), "uscc": ("统一社会信用代码", "USCC"),
    "parcel": ("地块", "Parcel"), "total": ("合计", "Total"),
    "tasks": ("今日巡检任务", "Inspection tasks"), "finding": ("填写巡检发现", "Record a finding"),
    "finding_type": ("发现类型", "Finding"), "attitude": ("产权人态度", "Holder's attitude"),
    "tenant_uscc": ("承租方统一社会信用代码", "Tenant USCC"), "note": ("说明", "Note"),
    "photo": ("现场照片", "Photo"), "submit": ("提交", "Submit"), "inspector_name": ("巡检人", "Inspector"),
    "queued": ("条待发送（离线保存）", "waiting to be sent (kept offline)"),
    "sent": ("已提交", "Sent"), "no_tasks": ("暂无任务", "No tasks"),
    # What an inspector may report (enforcement's finding types and holder attitudes), by code.
    "finding.unauthorised_lease": ("未经允许出租", "unauthorised lease"),
    "finding.non_industrial_use": ("不按工业用途使用", "non-industrial use"),
    "finding.illegal_construction": ("违法违规建设", "illegal construction"),
    "finding.residential_conversion": ("工改住", "residential conversion"),
    "finding.abandoned": ("烂尾", "abandoned"), "finding.litigation": ("涉法涉诉", "litigation"),
    "finding.rectified": ("已整改", "rectified"), "finding.no_issue": ("未发现问题", "no issue"),
    "attitude.undetermined": ("尚未表态", "not yet known"),
    "attitude.cooperating_with_renewal": ("配合城市更新", "cooperates with urban renewal"),
    "attitude.refuses_to_correct": ("拒不整改", "refuses to correct"),
    "objection": ("提出异议", "File an objection"), "objections": ("异议", "Objections"),
    "my_parcels": ("我的地块", "My parcels"), "standing": ("权益状态", "Benefit standing"),
    "download": ("下载", "Download"), "list_A": ("A类名单", "A list"),
    "list_green": ("绿色通道名单", "Green channel"), "list_C": ("C类名单", "C list"),
    "list_D": ("D类名单", "D list"),
    "overdue": ("已逾期", "overdue"), "due": ("整改期限", "due"), "why": ("原因", "reason"),
    "move": ("变更状态", "Move"), "overview": ("总览", "Overview"), "publication": ("年度评价发布", "Publication"),
    "whatif": ("规则模拟", "What-if"), "start_run": ("开始年度评价", "Start the yearly run"),
    "publish": ("公示", "Publish for objections"), "finalize": ("确定正式结果", "Finalize"),
    "decide": ("处理", "Decide"), "upheld": ("异议成立", "upheld"), "rejected": ("异议不成立", "rejected"),
    "submitted": ("待复核", "awaiting review"),
    "runs": ("年度评价", "Yearly runs"), "progress": ("进度", "progress"), "before": ("调整前", "before"),
    "after": ("调整后", "after"), "moved": ("等级变化的地块", "Parcels that move"),
    "simulate": ("模拟", "Simulate"), "suspected": ("疑似占用", "suspected occupants"),
    "open_objections": ("待处理异议", "open objections"), "movement": ("较上年变化", "year on year"),
    "up": ("上升", "up"), "down": ("下降", "down"), "to_d": ("降为D", "to D"),
    "notices": ("通知", "Notices"),
    "notices_intro": ("各系统发给本单位的通知：发生了什么、原因、可以做什么以及期限（通知正文为中文）。",
                      "What the services told you: what happened, why, what can be done and by when "
                      "(the notices themselves are in Chinese)."),
    "respond_by": ("期限", "by"), "notice_pending": ("待发送", "not sent yet"), "notice_sent": ("已送达", "delivered"),
    "notice_failed": ("发送失败", "not delivered"),
    "no_notices": ("暂无通知", "No notices"), "older": ("更早的通知", "Older notices"),
    "unavailable": ("服务暂不可用", "The service is unavailable"),
}


def t(key: str, lang: Language) -> str:
    zh, en = WORDS.get(key, (key, key))
    return en if lang == "en" else zh


def chosen_language(cookie: str | None, accept_language: str | None) -> Language:
    if cookie in ("zh", "en"):
        return "en" if cookie == "en" else "zh"
    return language(accept_language)
