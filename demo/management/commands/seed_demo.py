from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from demo import builder
from demo.accounts import MAIN_LOGINS, PASSWORD


class Command(BaseCommand):
    help = "Build the demo meeting (suggestions in every state) and print the demo logins. Safe to run twice."

    def handle(self, *args: Any, **options: Any) -> None:
        built = builder.build(log=self.stdout.write)
        figures = builder.summary()
        if built:
            self.stdout.write(self.style.SUCCESS("演示数据已生成。"))
        else:
            self.stdout.write("演示数据已存在，未重复生成。")
        line = (
            "建议 {suggestions} 件，承办单位 {units} 个，代表 {deputies} 名，"
            "交办 {assignments} 次，联系记录 {contacts} 条。"
        )
        self.stdout.write(line.format(**figures))
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {PASSWORD}）：")
        for username, _role, description in MAIN_LOGINS:
            self.stdout.write(f"  {username:<12} {description}")
        self.stdout.write("  其他承办单位：handler03…handler18 / head03…head18；其他代表：deputy03…deputy64")
        self.stdout.write("  其他政协委员：member03…member16；集体提案的政协组织：org01…org03；proposals2")
        self.stdout.write("")
        self.stdout.write(f"打开 {settings.SITE_URL} 登录。")
