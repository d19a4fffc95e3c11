"""The life of a case as people read it. The statuses and their one table of transitions are
storage's (storage/lifecycle.py), which every path obeys."""
from __future__ import annotations

from storage.lifecycle import (
                               OPEN_STATUSES,
                               TRANSITIONS,
                               Confirmation,
                               EventKind,
                               PartyRole,
                               Performance,
                               Result,
                               Status,
                               TransitionRefused,
                               can_move,
                               check_transition,
)

STATUS_NAMES: dict[str, str] = {
    Status.RECEIVED: "已受理", Status.DISPATCHED: "已分派", Status.MEDIATING: "调解中",
    Status.RESOLVED: "已化解", Status.ESCALATED: "已上报上级", Status.CLOSED: "已办结归档",
}

RESULT_NAMES: dict[str, str] = {Result.SETTLED: "化解", Result.ENDED: "调解终止（未化解）", Result.WITHDRAWN: "群众撤回"}

# a concluded case that was not settled says so wherever its status is shown
_UNSETTLED_NAMES: dict[tuple[str, str], str] = {
    (Status.RESOLVED, Result.ENDED): "调解终止（未化解）", (Status.RESOLVED, Result.WITHDRAWN): "已撤回",
    (Status.CLOSED, Result.ENDED): "已归档（调解终止）", (Status.CLOSED, Result.WITHDRAWN): "已归档（撤回）",
}


def status_name(status: str, result: str | None = None) -> str:
    """A case's status as people read it, with how it ended when it was not settled."""
    return _UNSETTLED_NAMES.get((status, result or ""), STATUS_NAMES.get(status, status))


def case_status_name(case: object) -> str:
    return status_name(getattr(case, "status", ""), getattr(case, "result", None))


# the ledger's events, the clocks' stages and the agreement's states, as staff read them
EVENT_NAMES: dict[str, str] = {
    EventKind.CREATED: "受理", EventKind.STATUS: "状态变更", EventKind.UPDATED: "补充信息",
    EventKind.CORRECTED: "更正", EventKind.ASSIGNED: "分派", EventKind.FOLLOWED_UP: "补充已转达", EventKind.CHASED: "群众催办、请求",
    EventKind.MESSAGE_IN: "群众消息", EventKind.MESSAGE_OUT: "回复群众", EventKind.NOTIFICATION: "推送",
    EventKind.PROGRESS: "进展", EventKind.APPOINTMENT: "约谈", EventKind.ALERT: "红色预警",
    EventKind.ATTENTION: "请中心关注", EventKind.CLOCK: "时限提醒", EventKind.RED_CARD: "红牌警告",
    EventKind.ESCALATED: "再次上报", EventKind.LINKED_REPORT: "同一纠纷的其他反映", EventKind.REFUSED: "越权操作被拒",
    EventKind.VIEWED_CONTACT: "查看完整联系方式", EventKind.EVIDENCE: "材料",
    EventKind.PARTY_ADDED: "登记当事人", EventKind.INVITED: "邀请当事人", EventKind.PARTY_JOINED: "当事人加入",
    EventKind.PARTY_STATEMENT: "当事人陈述", EventKind.PARTY_CONSENT: "当事人表态",
    EventKind.SESSION_SCHEDULED: "安排调解会", EventKind.SESSION_RECORDED: "调解笔录", EventKind.AGREEMENT: "调解协议",
    EventKind.PERFORMANCE: "履行情况", EventKind.CONFIRMATION: "司法确认", EventKind.FOLLOW_UP_VISIT: "回访",
    EventKind.ORIGIN: "案件来源", EventKind.DOCUMENT_LINK: "取文书链接",
}
PARTY_ROLE_NAMES: dict[str, str] = {PartyRole.APPLICANT: "申请人", PartyRole.RESPONDENT: "被申请人",
                                    PartyRole.OTHER: "第三人"}
STAGE_NAMES: dict[str, str] = {"dispatch": "分派", "start": "接单", "meeting": "联合约谈", "red_card": "化解（红牌时限）"}
PERFORMANCE_NAMES: dict[str, str] = {
    Performance.PENDING: "待履行", Performance.PERFORMED: "已履行", Performance.PARTLY: "部分履行",
    Performance.NOT_PERFORMED: "未履行", Performance.OVERDUE: "逾期未登记"}
CONFIRMATION_NAMES: dict[str, str] = {
    Confirmation.NONE: "未申请", Confirmation.APPLIED: "已申请", Confirmation.ACCEPTED: "法院已受理",
    Confirmation.CONFIRMED: "已确认有效", Confirmation.REFUSED: "已驳回"}

__all__ = ["CONFIRMATION_NAMES", "RESULT_NAMES", "EVENT_NAMES", "OPEN_STATUSES", "PARTY_ROLE_NAMES", "PERFORMANCE_NAMES", "STAGE_NAMES", "STATUS_NAMES",
           "TRANSITIONS", "Result", "Status", "case_status_name", "status_name", "TransitionRefused", "can_move", "check_transition"]
