# Every e-mail and text message leaves through the outbox (proposals/outbox.py), written in the
# same transaction as the step that sends it.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0003_deputies_on_phones'),
    ]

    operations = [
        migrations.CreateModel(
            name='OutboxMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('mail', 'E-mail'), ('sms', 'Text message')], max_length=10, verbose_name='channel')),
                ('status', models.CharField(choices=[('pending', 'Waiting to be sent'), ('sent', 'Sent'), ('failed', 'Failed, given up'), ('cancelled', 'Not sent: nothing to send it to')], default='pending', max_length=10, verbose_name='status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('address', models.CharField(blank=True, max_length=254, verbose_name='sent to')),
                ('body', models.TextField(blank=True, verbose_name='text sent')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='queued at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('notification', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='messages', to='proposals.notification', verbose_name='notification')),
            ],
            options={
                'verbose_name': 'outgoing message',
                'verbose_name_plural': 'outgoing messages',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['next_attempt_at', 'id'], name='outbox_due'),
        ),
        migrations.AddIndex(
            model_name='outboxmessage',
            index=models.Index(condition=models.Q(('status', 'pending')), fields=['created_at'], name='outbox_pending_since'),
        ),
        migrations.AddConstraint(
            model_name='outboxmessage',
            constraint=models.UniqueConstraint(fields=('notification', 'channel'), name='outbox_once_per_channel'),
        ),
    ]
