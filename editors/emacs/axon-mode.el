;;; axon-mode.el --- Major mode for Axon neuron and synapse models  -*- lexical-binding: t; -*-

;; Version: 0.1.0
;; Keywords: languages
;; Package-Requires: ((emacs "26.1"))

;;; Commentary:

;; Editing Axon model files (*.axon): syntax highlighting (definitions, keywords, numbers
;; with their units, derivatives, built-in functions), comments (`#'), indentation as
;; `axon fmt' lays files out (4 spaces per block, continuation lines 4 more or lined up
;; after their bracket), `axon-format-buffer' (axon fmt), and the language server
;; (`axon lsp') through eglot: errors with units as you type, hover, go to definition,
;; completion, formatting.
;;
;;   (add-to-list 'load-path "/path/to/axon/editors/emacs")
;;   (require 'axon-mode)
;;   (add-hook 'axon-mode-hook #'eglot-ensure)   ; the language server, optional
;;
;; The keyword list follows KEYWORDS in compiler/lex.re.

;;; Code:

(require 'seq)

(defgroup axon nil
  "Axon neuron and synapse models."
  :group 'languages)

(defcustom axon-program "axon"
  "The axon command (for `axon fmt' and `axon lsp')."
  :type 'string)

(defcustom axon-indent-offset 4
  "Indentation of a block in Axon files (axon fmt uses 4)."
  :type 'integer)

(defvar axon-mode-syntax-table
  (let ((st (make-syntax-table)))
    (modify-syntax-entry ?# "<" st)
    (modify-syntax-entry ?\n ">" st)
    (modify-syntax-entry ?_ "_" st)
    (modify-syntax-entry ?' "_" st)   ; v' is one symbol
    (modify-syntax-entry ?\" "\"" st)
    (modify-syntax-entry ?\\ "\\" st)
    (dolist (c '(?+ ?- ?* ?/ ?^ ?< ?> ?= ?: ?, ?. ?\;))
      (modify-syntax-entry c "." st))
    st)
  "Syntax table of `axon-mode'.")

(defconst axon--keywords
  '("import" "extern" "parameters" "per" "shared" "state" "inputs" "equations" "step"
    "output" "spike" "when" "on" "refractory" "method" "pre" "post" "continuous" "every"
    "modulator" "let" "population" "project" "connect" "delay" "learn" "signal" "record"
    "run" "for" "and" "or" "not" "if" "then" "else" "where" "from"))

(defconst axon--builtins
  '("exp" "log" "log10" "sqrt" "sin" "cos" "tan" "tanh" "sinh" "cosh" "atan" "atan2" "abs"
    "min" "max" "clip" "floor" "ceil" "round" "sign" "mod" "pow" "sigmoid" "Phi" "exprel"
    "expm1" "rand" "uniform" "normal" "randint" "timed" "topk" "sum" "poisson_input"
    "random" "fixed_indegree" "fixed_outdegree"))

(defconst axon--unit-re
  (let ((atom "\\(?:[TGMkcmunpf]\\|µ\\|μ\\)?\\(?:Hz\\|ohm\\|mol\\|rad\\|kg\\|cd\\|[smVASFCMKgWJ]\\)\\(?:\\^-?[0-9]+\\)?"))
    (concat atom "\\(?:[*/]" atom "\\)*\\_>"))
  "A unit as the lexer attaches it to a number: mV, mV/ms, uF/cm^2.")

(defconst axon-font-lock-keywords
  `(("\\_<\\(neuron\\|synapse\\|rule\\|module\\)\\_>\\(?:[ \t]+\\(\\(?:\\sw\\|\\s_\\)+\\)\\)?"
     (1 font-lock-keyword-face) (2 font-lock-type-face nil t))
    (,(regexp-opt axon--keywords 'symbols) . font-lock-keyword-face)
    ("\\_<event-driven\\_>" . font-lock-keyword-face)
    ("\\_<\\(true\\|false\\|all_to_all\\|one_to_one\\)\\_>" . font-lock-constant-face)
    (,(concat (regexp-opt axon--builtins 'symbols) "[ \t]*(") 1 font-lock-builtin-face)
    ("\\_<\\([A-Za-z_][A-Za-z0-9_]*\\)'" 1 font-lock-variable-name-face)
    (,(concat "\\_<\\([0-9]+\\(?:\\.[0-9]+\\)?\\(?:[eE][-+]?[0-9]+\\)?\\)\\(?:[ \t]*\\("
              axon--unit-re "\\)\\)?")
     (1 font-lock-constant-face) (2 font-lock-preprocessor-face nil t))
    ("\\_<\\([A-Za-z_][A-Za-z0-9_]*\\)[ \t]*=[^=]" 1 font-lock-variable-name-face))
  "Highlighting in `axon-mode'.")

;;; Indentation: the layout of axon fmt.

(defconst axon--continuation-re
  "[ \t]*\\(?:connect\\|delay\\|learn\\|then\\|every[ \t]+\\(?:[^s \t]\\|s[^t]\\)\\)\\_>"
  "A line that continues the statement before it (as the lexer reads it).")

(defun axon--previous-code-line-end ()
  "The last character of code before this line, or nil."
  (save-excursion
    (beginning-of-line)
    (let ((found nil))
      (while (and (not found) (not (bobp)))
        (forward-line -1)
        (end-of-line)
        (let ((ppss (syntax-ppss)))
          (when (nth 4 ppss) (goto-char (nth 8 ppss))))
        (skip-chars-backward " \t")
        (unless (bolp) (setq found (char-before))))
      found)))

(defun axon--statement-start ()
  "The indentation of the line where the statement of this line starts."
  (save-excursion
    (beginning-of-line)
    (while (and (not (bobp))
                (let ((c (axon--previous-code-line-end)))
                  (or (and c (memq c '(?+ ?- ?* ?/ ?^ ?= ?, ?< ?> ?:)))
                      (looking-at axon--continuation-re))))
      (forward-line -1)
      (while (and (not (bobp)) (looking-at "[ \t]*\\(?:#.*\\)?$"))
        (forward-line -1)))
    (current-indentation)))

(defun axon--indentation ()
  "The column this line should start at."
  (save-excursion
    (beginning-of-line)
    (let* ((ppss (syntax-ppss))
           (open (car (last (nth 9 ppss))))
           (closing (looking-at "[ \t]*[])}]")))
      (cond
       ;; inside ( or [: after the bracket, or 4 past its line
       ((and open (memq (char-after open) '(?\( ?\[)))
        (goto-char open)
        (let ((base (current-indentation)))
          (forward-char 1)
          (skip-chars-forward " \t")
          (cond (closing base)
                ((looking-at "\\(?:#.*\\)?$") (+ base axon-indent-offset))
                (t (current-column)))))
       (t
        (let* ((blocks (seq-count (lambda (p) (eq (char-after p) ?{)) (nth 9 ppss)))
               (col (* axon-indent-offset (if closing (1- blocks) blocks)))
               (prev (axon--previous-code-line-end)))
          (if (and (not closing)
                   (or (and prev (memq prev '(?+ ?- ?* ?/ ?^ ?= ?, ?< ?> ?:)))
                       (looking-at axon--continuation-re)
                       (and (looking-at "[ \t]*else\\_>") (not (eq prev ?})))))
              (+ (axon--statement-start) axon-indent-offset)
            col)))))))

(defun axon--comment-indentation ()
  "A comment line goes with the code below it (inside the block that code closes)."
  (save-excursion
    (forward-line 1)
    (while (and (not (eobp)) (looking-at "[ \t]*\\(?:#.*\\)?$"))
      (forward-line 1))
    (cond ((eobp) 0)
          ((looking-at "[ \t]*}") (+ (axon--indentation) axon-indent-offset))
          (t (axon--indentation)))))

(defun axon-indent-line ()
  "Indent the current line as axon fmt would."
  (interactive)
  (let ((col (if (save-excursion (beginning-of-line) (looking-at "[ \t]*#"))
                 (axon--comment-indentation)
               (axon--indentation)))
        (offset (- (current-column) (current-indentation))))
    (indent-line-to (max 0 col))
    (when (> offset 0) (move-to-column (+ (current-indentation) offset)))))

;;; Formatting and the language server.

(defun axon-format-buffer ()
  "Lay out the buffer with axon fmt (left alone when it has syntax errors)."
  (interactive)
  (let ((out (generate-new-buffer " *axon fmt*"))
        (point (point)))
    (unwind-protect
        (if (zerop (call-process-region (point-min) (point-max) axon-program nil
                                        (list out nil) nil "fmt" "-"))
            (progn
              (replace-buffer-contents out)
              (goto-char (min point (point-max))))
          (message "axon fmt: the file has syntax errors (see M-x compile: axon check %s)"
                   (or buffer-file-name "")))
      (kill-buffer out))))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs `(axon-mode . (,axon-program "lsp"))))

(defvar axon-mode-map
  (let ((m (make-sparse-keymap)))
    (define-key m (kbd "C-c C-f") #'axon-format-buffer)
    m)
  "Keys of `axon-mode'.")

;;;###autoload
(define-derived-mode axon-mode prog-mode "Axon"
  "Major mode for Axon neuron and synapse models."
  :syntax-table axon-mode-syntax-table
  (setq-local comment-start "# ")
  (setq-local comment-start-skip "#+[ \t]*")
  (setq-local comment-end "")
  (setq-local font-lock-defaults '(axon-font-lock-keywords))
  (setq-local indent-line-function #'axon-indent-line)
  (setq-local indent-tabs-mode nil)
  (setq-local tab-width 4)
  (setq-local electric-indent-chars (append "}" electric-indent-chars))
  (setq-local compile-command (concat axon-program " check "
                                      (shell-quote-argument (or buffer-file-name "")))))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.axon\\'" . axon-mode))

(provide 'axon-mode)

;;; axon-mode.el ends here
