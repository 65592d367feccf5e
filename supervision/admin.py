from django.contrib import admin

from supervision.models import KeyItem


@admin.register(KeyItem)
class KeyItemAdmin(admin.ModelAdmin):
    list_display = ("title", "year", "leader", "committee")
    list_filter = ("year", "committee")
    search_fields = ("title",)
    autocomplete_fields = ("proposals",)
    filter_horizontal = ()
