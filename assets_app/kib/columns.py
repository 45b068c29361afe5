"""The KIB A (tanah) and KIB C (gedung dan bangunan) columns: the official headings in
Indonesian (Permendagri 19/2016, Lampiran, Kartu Inventaris Barang), each tied to an asset
field and how its value is written in the spreadsheet and read back.

The official columns come first, in the form's order; the register's own columns follow (the
asset's register code, name, agency, use, status and geometry), so that a file exported here
imports back to the same register. "Nomor Register", "Jenis Barang / Nama Barang" and the
other derived cells are informative: the import ignores them (the service numbers the register).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Indonesian spellings of the register's choices, as the KIB writes them.
CONDITION = {"good": "B", "minor_damage": "RR", "major_damage": "RB"}
TITLE = {
    "hak_pakai": "Hak Pakai",
    "hak_pengelolaan": "Hak Pengelolaan",
    "hak_milik": "Hak Milik",
    "hak_guna_bangunan": "Hak Guna Bangunan",
    "imb_pbg": "IMB/PBG",
    "none": "Belum Bersertipikat",
}
ORIGIN = {
    "purchase": "Pembelian",
    "grant": "Hibah",
    "exchange": "Tukar Menukar",
    "transfer": "Pengalihan dari Pemerintah Lain",
    "developer_obligation": "Penyerahan PSU Pengembang",
    "other": "Lainnya",
}
USE = {
    "education": "Pendidikan",
    "health": "Kesehatan",
    "office": "Perkantoran",
    "sports": "Olahraga",
    "market": "Pasar",
    "vacant": "Kosong",
    "economic": "Ekonomi (UMKM)",
    "other": "Lainnya",
}
STATUS = {
    "in_service": "Digunakan",
    "underused": "Kurang Dimanfaatkan",
    "idle": "Idle",
    "designated_economic": "Ditetapkan untuk Ekonomi",
    "outlet": "Gerai UMKM",
    "disposed": "Dihapus",
}
CONCRETE = {True: "Beton", False: "Tidak"}


@dataclass(frozen=True)
class Column:
    heading: str
    field: str  # the asset field; "" for a derived cell the import ignores
    words: dict = field(default_factory=dict)  # value -> how the KIB writes it
    derived: bool = False


def _official_a() -> list[Column]:
    return [
        Column("No", "", derived=True),
        Column("Jenis Barang / Nama Barang", "", derived=True),
        Column("Kode Barang", "item_code"),
        Column("Nomor Register", "register_number", derived=True),
        Column("Luas (M2)", "land_area_m2"),
        Column("Tahun Pengadaan", "acquisition_year"),
        Column("Letak / Alamat", "address"),
        Column("Status Tanah: Hak", "title_type", TITLE),
        Column("Sertifikat: Tanggal", "title_date"),
        Column("Sertifikat: Nomor", "title_number"),
        Column("Penggunaan", "use", USE),
        Column("Asal Usul", "origin", ORIGIN),
        Column("Harga (Rp)", "book_value"),
        Column("Keterangan", "notes"),
    ]


def _official_c() -> list[Column]:
    return [
        Column("No", "", derived=True),
        Column("Jenis Barang / Nama Barang", "", derived=True),
        Column("Kode Barang", "item_code"),
        Column("Nomor Register", "register_number", derived=True),
        Column("Kondisi Bangunan (B, RR, RB)", "condition", CONDITION),
        Column("Konstruksi Bangunan: Bertingkat / Tidak", "", derived=True),
        Column("Konstruksi Bangunan: Beton / Tidak", "concrete", CONCRETE),
        Column("Luas Lantai (M2)", "building_area_m2"),
        Column("Letak / Lokasi Alamat", "address"),
        Column("Dokumen Gedung: Tanggal", "title_date"),
        Column("Dokumen Gedung: Nomor", "title_number"),
        Column("Luas (M2)", "land_area_m2"),
        Column("Status Tanah", "title_type", TITLE),
        Column("Nomor Kode Tanah", "land_register_code"),
        Column("Asal Usul", "origin", ORIGIN),
        Column("Harga (Rp)", "book_value"),
        Column("Keterangan", "notes"),
    ]


def _register_own(kind: str) -> list[Column]:
    extra = [
        Column("Kode Register Aset", "register_code"),
        Column("Nama Aset", "name"),
        Column("Kode OPD", "custodian_agency"),
        Column("Kode Lokasi", "", derived=True),
        Column("Tahun Pengadaan", "acquisition_year") if kind == "C" else None,
        Column("Jumlah Lantai", "floors") if kind == "C" else None,
        Column("Penggunaan", "use", USE) if kind == "C" else None,
        Column("Jenis Fasilitas", "facility_type"),
        Column("Status", "status", STATUS),
        Column("Geometri (WKT, EPSG:4326)", "geometry"),
    ]
    return [c for c in extra if c is not None]


KIB_COLUMNS = {
    "A": [*_official_a(), *_register_own("A")],
    "C": [*_official_c(), *_register_own("C")],
}
KIB_CATEGORY = {"A": "land", "C": "building"}
KIB_TITLES = {
    "A": "KARTU INVENTARIS BARANG (KIB) A: TANAH",
    "C": "KARTU INVENTARIS BARANG (KIB) C: GEDUNG DAN BANGUNAN",
}
