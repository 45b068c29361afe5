"""The programme_staff group, and the programme's targets with their sources.

The overall 5,000 WUB and 1,000 women entrepreneurs and the first year's 2,100 are as the city
published them (sources below); the 2023 figures (2,114 in all, 1,750 WUB, 350 women) are the
figures given in issue 20 of this project, labelled so until the agency confirms them.
"""

from django.db import migrations

ROLE = "programme_staff"
OVERALL = (
    "Pemkot Depok: programme 5.000 Wirausaha Baru dan 1.000 Perempuan Pengusaha "
    "(WartaDepok, 10 March 2023)"
)
OVERALL_URL = (
    "https://www.wartadepok.com/headline/program-wub-dan-perempuan-pengusaha-dilanjutkan-dkum-"
    "depok-roadshow-di-11-kecamatan/"
)
FIRST_YEAR = "Wakil Wali Kota Depok: target 2.100 peserta tahun ini (Republika, 27 June 2022)"
FIRST_YEAR_URL = (
    "https://news.republika.co.id/berita/re74ph384/imam-budi-kampanyekan-1000-perempuan-"
    "pengusaha-di-temu-jawara-depok"
)
ISSUE = "Figures given in issue 20 of this project (to be confirmed by DKUM)"
TARGETS = [
    ("wub", None, 5000, OVERALL, OVERALL_URL),
    ("women", None, 1000, OVERALL, OVERALL_URL),
    ("all", 2022, 2100, FIRST_YEAR, FIRST_YEAR_URL),
    ("all", 2023, 2114, ISSUE, ""),
    ("wub", 2023, 1750, ISSUE, ""),
    ("women", 2023, 350, ISSUE, ""),
]


def forward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=ROLE)
    Target = apps.get_model("programme", "Target")
    for programme, year, target, source, url in TARGETS:
        Target.objects.get_or_create(
            programme=programme,
            year=year,
            defaults={"target": target, "source": source, "source_url": url},
        )


def backward(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=ROLE).delete()
    apps.get_model("programme", "Target").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forward, backward)]
