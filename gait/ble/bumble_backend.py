"""A bleak backend on Google's bumble stack: the real recorder talks to virtual sensors.

bleak picks its backend by platform; the only override is ``backend=`` on ``BleakScanner`` and
``BleakClient`` (bleak has no bumble backend of its own). :class:`BumbleScanner` and
:class:`BumbleClient` implement ``BaseBleakScanner`` / ``BaseBleakClient`` on a bumble central
``Device`` attached to a ``LocalLink``; :meth:`gait.ble.sim.VirtualRadio.backends` returns
subclasses bound to one radio, so unmodified bleak calls (``discover(service_uuids=...)``,
``find_device_by_address``, ``bleak_retry_connector.establish_connection``, ``start_notify``,
``write_gatt_char(response=True)``, ``disconnected_callback``) run against the virtual sensors.
"""

from __future__ import annotations

import contextlib
import uuid as uuidlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Peer
from bumble.hci import Address

if TYPE_CHECKING:
    from gait.ble.sim import VirtualRadio

_PROPS = [(0x01, "broadcast"), (0x02, "read"), (0x04, "write-without-response"),
          (0x08, "write"), (0x10, "notify"), (0x20, "indicate"),
          (0x40, "authenticated-signed-writes"), (0x80, "extended-properties")]


def uuid_str(u: UUID) -> str:
    """bumble UUID -> bleak's lower-case 128-bit string."""
    return str(uuidlib.UUID(bytes=bytes(reversed(u.uuid_128_bytes))))


def advertisement_data(adv: Advertisement) -> tuple[str | None, AdvertisementData]:
    """bleak's AdvertisementData from a bumble advertisement."""
    d = adv.data
    name = d.get(AdvertisingData.COMPLETE_LOCAL_NAME) or d.get(
        AdvertisingData.SHORTENED_LOCAL_NAME)
    uuids: list[str] = []
    for t in (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
              AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
              AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
              AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS):
        for u in d.get_all(t) or []:
            for x in (u if isinstance(u, list) else [u]):
                s = uuid_str(x)
                if s not in uuids:
                    uuids.append(s)
    manu: dict[int, bytes] = {}
    for m in d.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA) or []:
        manu[int(m[0])] = bytes(m[1])
    sdata: dict[str, bytes] = {}
    for t in (AdvertisingData.SERVICE_DATA_16_BIT_UUID, AdvertisingData.SERVICE_DATA_128_BIT_UUID):
        for u, v in d.get_all(t) or []:
            sdata[uuid_str(u)] = bytes(v)
    tx = d.get(AdvertisingData.TX_POWER_LEVEL)
    name = str(name) if name else None
    return name, AdvertisementData(local_name=name, manufacturer_data=manu, service_data=sdata,
                                   service_uuids=uuids, tx_power=tx, rssi=int(adv.rssi),
                                   platform_data=(adv,))


class BumbleScanner(BaseBleakScanner):
    """``BaseBleakScanner`` on the radio's bumble central."""

    radio: ClassVar[VirtualRadio | None] = None

    def __init__(self, detection_callback: Any, service_uuids: list[str] | None,
                 scanning_mode: str = "active", **kwargs: Any) -> None:
        super().__init__(detection_callback, service_uuids)
        if self.radio is None:
            raise BleakError("BumbleScanner is not bound to a VirtualRadio")
        self._radio = self.radio
        self._names: dict[str, str] = {}

    def _on_adv(self, adv: Advertisement) -> None:
        name, ad = advertisement_data(adv)
        key = str(adv.address)
        if name:
            self._names[key] = name
        name = name or self._names.get(key)
        if name and ad.local_name is None:
            ad = ad._replace(local_name=name)
        if not self.is_allowed_uuid(ad.service_uuids):
            return
        dev = self.create_or_update_device(key, key, name, adv.address, ad)
        self.call_detection_callbacks(dev, ad)

    async def start(self) -> None:
        self.seen_devices = {}
        self._radio.central.on("advertisement", self._on_adv)
        await self._radio.scan(True)

    async def stop(self) -> None:
        self._radio.central.remove_listener("advertisement", self._on_adv)
        await self._radio.scan(False)


class BumbleClient(BaseBleakClient):
    """``BaseBleakClient`` on the radio's bumble central (one connection per client)."""

    radio: ClassVar[VirtualRadio | None] = None

    def __init__(self, address_or_ble_device: BLEDevice | str, *,
                 disconnected_callback: Callable[[], None] | None = None,
                 timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(address_or_ble_device, disconnected_callback=disconnected_callback,
                         timeout=timeout)
        if self.radio is None:
            raise BleakError("BumbleClient is not bound to a VirtualRadio")
        self._radio = self.radio
        details = getattr(address_or_ble_device, "details", None)
        self._peer_address = details if isinstance(details, Address) else None
        self._name = getattr(address_or_ble_device, "name", None) or self.address
        self._conn: Connection | None = None
        self._peer: Peer | None = None
        self._mtu = 23
        self._closing = False
        self._subs: dict[int, Callable[[bytes], None]] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return self._mtu

    @property
    def is_connected(self) -> bool:
        return self._conn is not None

    async def connect(self, pair: bool = False, **kwargs: Any) -> None:
        timeout = float(kwargs.get("timeout") or self._timeout)
        addr = self._peer_address or Address(self.address)
        try:
            conn = await self._radio.connect(addr, timeout)
        except TimeoutError:
            raise
        except Exception as exc:  # bumble raises its own exception types
            raise BleakError(f"{self.address}: connection failed ({exc})") from exc
        self._conn = conn
        self._closing = False
        conn.on("disconnection", self._on_disconnection)
        peer = Peer(conn)
        self._peer = peer
        try:
            self._mtu = await peer.request_mtu(self._radio.mtu)
            await peer.discover_services()
            coll = BleakGATTServiceCollection()
            for sp in peer.services:
                await sp.discover_characteristics()
                svc = BleakGATTService(sp, sp.handle, uuid_str(sp.uuid))
                coll.add_service(svc)
                for cp in sp.characteristics:
                    await peer.discover_descriptors(cp)
                    props = [n for bit, n in _PROPS if int(cp.properties) & bit]
                    ch = BleakGATTCharacteristic(cp, cp.handle, uuid_str(cp.uuid), props,
                                                 lambda: self._mtu - 3, svc)
                    coll.add_characteristic(ch)
                    for dp in cp.descriptors:
                        de = BleakGATTDescriptor(dp, dp.handle, uuid_str(dp.type), ch)
                        coll.add_descriptor(de)
        except Exception as exc:
            await self._drop()
            raise BleakError(f"{self.address}: service discovery failed ({exc})") from exc
        self.services = coll

    def _on_disconnection(self, reason: int) -> None:
        self._conn = None
        self._peer = None
        self._subs.clear()
        if not self._closing and self._disconnected_callback is not None:
            self._disconnected_callback()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._closing = True
            with contextlib.suppress(Exception):  # already gone
                await conn.disconnect()

    async def disconnect(self) -> None:
        await self._drop()

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the virtual sensors need no pairing")

    async def unpair(self) -> None:
        raise NotImplementedError("the virtual sensors need no pairing")

    def _need(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(self, characteristic: BleakGATTCharacteristic, *,
                             use_cached: bool = False, **kwargs: Any) -> bytearray:
        try:
            return bytearray(await self._need().read_value(characteristic.obj))
        except BleakError:
            raise
        except Exception as exc:
            raise BleakError(f"read failed ({exc})") from exc

    async def read_gatt_descriptor(self, descriptor: BleakGATTDescriptor, *,
                                   use_cached: bool = False, **kwargs: Any) -> bytearray:
        return bytearray(await self._need().read_value(descriptor.obj))

    async def write_gatt_char(self, characteristic: BleakGATTCharacteristic, data: Any,
                              response: bool) -> None:
        try:
            await self._need().write_value(characteristic.obj, bytes(data),
                                           with_response=response)
        except BleakError:
            raise
        except Exception as exc:
            raise BleakError(f"write failed ({exc})") from exc

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        await self._need().write_value(descriptor.obj, bytes(data), with_response=True)

    async def start_notify(self, characteristic: BleakGATTCharacteristic,
                           callback: NotifyCallback, **kwargs: Any) -> None:
        def sub(value: bytes) -> None:
            callback(bytearray(value))

        self._subs[characteristic.handle] = sub
        await self._need().subscribe(characteristic.obj, sub)

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        sub = self._subs.pop(characteristic.handle, None)
        if self._peer is not None and sub is not None:
            await self._peer.unsubscribe(characteristic.obj, sub)

