from django.db import migrations

from deputies.beatrows import beat_row_operation

# The nightly removal of residents' personal data as a beat row (see config/celery.py). A frozen
# copy of the schedule: an administrator may change it in the admin afterwards.
PURGE_RESIDENT_DATA = {
    "name": "删除群众意见中的个人信息",
    "task": "deputies.tasks.purge_resident_data",
    "description": "每天凌晨删除收到已超过保存期限（RESIDENT_DATA_DAYS）的群众意见中的电话号码和照片，并在其记录中注明。",
    "crontab": {"minute": "20", "hour": "3", "day_of_week": "*", "day_of_month": "*", "month_of_year": "*"},
    "timezone": "Asia/Shanghai",
}


class Migration(migrations.Migration):
    dependencies = [
        ("deputies", "0010_liaison_stations_and_resident_matters"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        beat_row_operation(PURGE_RESIDENT_DATA),
    ]
