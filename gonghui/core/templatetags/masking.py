from django import template

from gonghui.core.masking import mask_id_number, mask_phone

register = template.Library()
register.filter("mask_id", mask_id_number)
register.filter("mask_phone", mask_phone)
