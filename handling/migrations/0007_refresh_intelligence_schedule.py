from deputies.beatrows import beat_row_operation
from django.db import migrations

# The nightly refresh of similar items and the unit suggestion, as a beat row (see
# config/celery.py). A frozen copy of the schedule: an administrator may change it afterwards.
REFRESH_INTELLIGENCE = {
    "name": "更新相似建议与承办单位建议",
    "task": "handling.tasks.refresh_intelligence",
    "description": "每天凌晨重建建议文本索引（新增和修改的建议、词频、向量长度），并按最终交办结果重新学习各承办单位画像。",
    "crontab": {"minute": "40", "hour": "2", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


class Migration(migrations.Migration):
    dependencies = [
        ("handling", "0006_unit_profiles"),
        ("proposals", "0008_text_index"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        beat_row_operation(REFRESH_INTELLIGENCE),
    ]
