;;; Emacs (batch) with axon-mode and eglot on a copy of tests/lsp/model.axon, `axon' on the
;;; PATH: the connection starts from the mode's entry in `eglot-server-programs', the unit
;;; error with its hint reaches flymake, hover (eldoc) tells a parameter's unit and doc
;;; comment, `M-.' (xref) goes into the stdlib, completion after `post.' offers the neurons'
;;; variables, and `eglot-rename' renames a parameter at its declaration and its use.
;;; emacs --batch -Q -l editors/emacs/axon-mode.el -l tests/editors/eglot.el FILE
(setq package-directory-list '("/usr/share/emacs/site-lisp/elpa"))
(package-initialize)
(require 'eglot)
(defvar axon-test-failures 0)
(defun axon-test (ok what &optional got)
  (unless ok
    (setq axon-test-failures (1+ axon-test-failures))
    (princ (format "FAIL: %s%s\n" what (if got (format "\n    got: %S" got) "")))))

(defun axon-test-wait (pred seconds)
  "Waits (serving the server's messages) until PRED returns non-nil; its value."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    v))

(defun axon-test-goto (text &optional back)
  (goto-char (point-min))
  (search-forward text)
  (backward-char (or back 0)))

(find-file (car command-line-args-left))
(setq command-line-args-left nil)
(switch-to-buffer (current-buffer))   ; eglot answers only for buffers shown in a window
(axon-test (eq major-mode 'axon-mode) "the file opens in axon-mode" major-mode)
(apply #'eglot--connect (eglot--guess-contact))
(axon-test eglot--managed-mode "eglot manages the buffer")

;; diagnostics: the unit error of `axon check', with its hint, on its line
(flymake-start)
(let ((diags (axon-test-wait #'flymake-diagnostics 20)))
  (axon-test (= (length diags) 1) "one diagnostic" (mapcar #'flymake-diagnostic-text diags))
  (when diags
    (let ((d (car diags)))
      (axon-test (and (= (line-number-at-pos (flymake-diagnostic-beg d)) 12)
                      (eq (flymake-diagnostic-type d) 'eglot-error)
                      (string-match-p "dimension mismatch in '\\+'" (flymake-diagnostic-text d))
                      (string-match-p "hint: did you forget a resistance"
                                      (flymake-diagnostic-text d)))
                 "the unit error and its hint on line 12"
                 (list (line-number-at-pos (flymake-diagnostic-beg d))
                       (flymake-diagnostic-type d) (flymake-diagnostic-text d))))))

;; hover through eldoc
(axon-test-goto "(-v + I) / tau" 1)
(let (got)
  (eglot-hover-eldoc-function (lambda (info &rest _) (setq got (or info "(nothing)"))))
  (axon-test-wait (lambda () got) 10)
  (axon-test (and got (string-match-p "parameter of neuron Leaky: a time (ms)" got)
                  (string-match-p "the membrane time constant" got))
             "hover on tau" got))

;; go to definition (xref): LIF is in the stdlib
(axon-test-goto "= LIF" 1)
(let* ((defs (xref-backend-definitions 'eglot (xref-backend-identifier-at-point 'eglot)))
       (loc (and defs (xref-item-location (car defs)))))
  (axon-test (and loc (string-suffix-p "stdlib/neurons/lif.axon" (xref-location-group loc)))
             "definition of LIF in the stdlib" (and loc (xref-location-group loc))))

;; completion after `post.'
(axon-test-goto "post.")
(let* ((capf (eglot-completion-at-point))
       (names (and capf (all-completions "" (nth 2 capf)))))
  (axon-test (and (member "v" names) (member "I_syn" names) (not (member "neuron" names)))
             "completion after post." names))

;; rename: tau at its use renames the declaration too
(axon-test-goto "/ tau" 1)
(eglot-rename "tau_m")
(axon-test (and (string-match-p "^        tau_m = 10 ms" (buffer-string))
                (string-match-p "/ tau_m }" (buffer-string))
                (not (string-match-p "\\_<tau\\_>" (buffer-string))))
           "eglot-rename of tau" (buffer-string))

(princ (format "eglot: %d failed\n" axon-test-failures))
(kill-emacs (if (zerop axon-test-failures) 0 1))
