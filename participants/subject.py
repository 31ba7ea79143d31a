"""A resident's own data and its trail, as UU PDP lets them ask for it."""

from .identity import phone_display
from .models import Resident


def subject_data(*, resident: Resident) -> dict:
    """Everything the app holds about one resident, unmasked, with who changed and saw it."""
    village = resident.village
    return {
        "warga": {
            "nik": resident.nik,
            "nomor_kk": resident.kk_number,
            "nama_lengkap": resident.full_name,
            "jenis_kelamin": resident.get_gender_display(),
            "tempat_lahir": resident.birth_place,
            "tanggal_lahir": resident.birth_date,
            "telepon": phone_display(resident.phone),
            "email": resident.email,
            "alamat": resident.address,
            "rt": resident.rt,
            "rw": resident.rw,
            "kelurahan": f"{village.name} ({village.code})",
            "kecamatan": village.district.name,
            "kota": village.district.city.name,
            "pendidikan": resident.get_education_display(),
            "kelompok_sasaran": resident.target_groups,
            "usaha": {
                "nama": resident.business_name,
                "bidang": resident.get_business_sector_display(),
                "tahun_mulai": resident.business_started_year,
            },
            "tanggal_pendaftaran": resident.registered_on,
            "dibatalkan": resident.is_void,
            "alasan_pembatalan": resident.void_reason,
        },
        "tahap": [
            {
                "tahap": record.get_stage_display(),
                "tanggal": record.reached_on,
                "bukti": record.evidence,
                "catatan": record.note,
            }
            for record in resident.stage_records.all()
        ],
        "riwayat_perubahan": [
            {
                "waktu": record.history_date,
                "oleh": record.history_user.get_username()
                if record.history_user
                else None,
                "jenis": {"+": "dibuat", "~": "diubah", "-": "dihapus"}[
                    record.history_type
                ],
            }
            for record in resident.history.select_related("history_user").order_by(
                "history_date"
            )
        ],
        "log_akses": [
            {
                "waktu": log.at,
                "oleh": log.username,
                "tindakan": log.get_action_display(),
                "alasan": log.reason,
            }
            for log in resident.access_logs.order_by("at")
        ],
    }
