/* The admin's periodic-task form (django-celery-beat): under the crontab field, what the chosen
   crontab means in words. django-celery-beat writes this script into its template; it lives
   here because the Content-Security-Policy runs no inline script. */
(function () {
  "use strict";
  var $ = window.django && window.django.jQuery;
  var source = document.getElementById("readable-crontabs");
  if (!$ || !source) return;
  var readable = JSON.parse(source.textContent);
  var help = $(".field-crontab .help");
  var original = help.text();

  $(".field-crontab_translation").hide();
  $("#id_crontab").on("change", function () {
    var meaning = readable[$(this).val()];
    help.text(original);
    if (meaning) help.append(document.createElement("br"), document.createTextNode(meaning));
  });
})();
