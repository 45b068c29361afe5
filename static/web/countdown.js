// Progressive enhancement: the offer page's "hours and minutes left" counts down each minute.
// Without JavaScript the server's figure at page load stays, beside the deadline itself.
const el = document.querySelector(".countdown[data-seconds]");
if (el) {
  const end = Date.now() + Number(el.dataset.seconds) * 1000;
  const lang = document.documentElement.lang === "en" ? "en" : "id";
  const words = lang === "en" ? ["hours", "minutes left", "Expired"] : ["jam", "menit lagi", "Kedaluwarsa"];
  const tick = () => {
    const left = Math.max(0, Math.floor((end - Date.now()) / 1000));
    el.textContent = left === 0 ? words[2] : `${Math.floor(left / 3600)} ${words[0]} ${Math.floor((left % 3600) / 60)} ${words[1]}`;
  };
  tick();
  setInterval(tick, 30000);
}
