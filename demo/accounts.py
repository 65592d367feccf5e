"""The demo's main accounts, listed on the login page in development and after seed_demo."""

from deputies.models import Role

PASSWORD = "Demo#2026"

# The logins printed after the build, in this order.
MAIN_LOGINS = [
    ("admin", Role.ADMIN, "系统管理员"),
    ("staff", Role.STAFF, "人大常委会代表工作委员会"),
    ("supervision", Role.SUPERVISION, "区政府办公室督查室"),
    ("leader", Role.LEADER, "区人大常委会副主任"),
    ("leader2", Role.LEADER, "副区长"),
    ("committee", Role.COMMITTEE, "教育科学文化卫生委员会"),
    ("handler", Role.UNIT_HANDLER, "区教育局 承办人"),
    ("head", Role.UNIT_HEAD, "区教育局 局长"),
    ("handler2", Role.UNIT_HANDLER, "区住房和城乡建设局 承办人"),
    ("head2", Role.UNIT_HEAD, "区住房和城乡建设局 局长"),
    ("deputy", Role.DEPUTY, "人大代表（领衔多件建议）"),
    ("deputy2", Role.DEPUTY, "人大代表（附议人）"),
]
