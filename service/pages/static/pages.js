// Marks the page as scripted (CSS then shows script-only controls and hides fallbacks).
document.documentElement.classList.add("js");
